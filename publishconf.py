"""Production configuration: pelicanconf.py plus the public address.

    make publish            # or: pelican content -o output -s publishconf.py

Set SITEURL to the address the site is served from (with its sub-path, if
any, and no trailing slash).  Links stay relative, so the same output also
works when copied under another path; sitemap.xml and robots.txt use SITEURL.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pelicanconf import *  # noqa: E402, F403

SITEURL = os.environ.get("WAYSTATION_SITEURL", "https://waystation.example.org")
RELATIVE_URLS = True
# A production build starts from an empty output folder and an empty cache.
DELETE_OUTPUT_DIRECTORY = True
LOAD_CONTENT_CACHE = False
