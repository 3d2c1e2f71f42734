import sys

from waystation.cli import main

sys.exit(main())
