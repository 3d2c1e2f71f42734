"""JSON lists written item by item: the bytes of ``json.dumps(list)``, without the string.

The open data of a national directory are hundreds of megabytes of JSON
(``hsds/organizations.json`` is 318 MB at 50,000 listings): made as one string, then
encoded, a file costs three times its size in memory at once.  :func:`write_list`
writes the same bytes one item at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any


def write_list(file: IO[str], items: Iterable[Any], **options: Any) -> None:
    """Write ``json.dumps(list(items), **options)`` to ``file`` (no ``indent``)."""
    if options.get("indent") is not None:
        raise ValueError("write_list writes JSON on one line: no indent")
    separator = (options.get("separators") or (", ", ": "))[0]
    file.write("[")
    for number, item in enumerate(items):
        if number:
            file.write(separator)
        file.write(json.dumps(item, **options))
    file.write("]")
