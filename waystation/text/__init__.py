"""Untrusted listing text made safe: sanitized HTML, and plain text for data files.

Owns :mod:`.markup` (listing Markdown rendered and sanitized with nh3, so no listing
runs script) and :mod:`.plain` (the same text reduced to plain, spreadsheet-safe text
for the exports).  A foundation: pages, search, maps and open data all use it; it
imports nothing of Waystation's but :mod:`waystation.exc` and :mod:`waystation.settings`.
"""
