"""Bytes of an export to text: UTF-8 (with or without BOM), else Windows-1252, else Latin-1.

Spreadsheet programs save CSVs in Windows-1252; some 211 systems in Latin-1.  Windows-1252
leaves five bytes undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D): a file holding one of them is
read as Latin-1, which decodes every byte.  Anything but UTF-8 is reported, because a
guess between those two can be wrong for a few characters and a person should look.
"""

from __future__ import annotations

UTF8 = "utf-8"


def decode(data: bytes) -> tuple[str, str]:
    """The text of ``data`` and the encoding it was read with (``utf-8``, ``utf-8-sig``,
    ``windows-1252`` or ``latin-1``)."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode(UTF8), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode(UTF8), UTF8
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def is_utf8(encoding: str) -> bool:
    return encoding in (UTF8, "utf-8-sig")
