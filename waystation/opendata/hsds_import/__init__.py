"""HSDS import: Open Referral data (HSDS 1.0/1.1, 2.0.x, 3.0) turned into draft listing files.

The path a 211 export takes, one module per step:

- :mod:`.encoding`: bytes to text (UTF-8 with or without BOM, Windows-1252, Latin-1);
- :mod:`.tables`: a tabular package (folder, ``datapackage.json``, zip; CSVs anywhere in
  it, plural or singular table names) read into canonical tables;
- :mod:`.nested`: HSDS JSON (one object, a list, an API page, a folder of pages, the
  tabular JSON form) flattened into the same canonical tables;
- :mod:`.joins`: the tables joined into one record per service and place, by the keys
  each version defines, with every link that cannot be resolved reported;
- :mod:`.taxonomy`: AIRS/211 LA codes and Open Eligibility names mapped to Waystation
  terms through ``waystation/data/hsds_taxonomy_map.yaml``; the ``--only`` filter;
- :mod:`.confidential`: whether a place may be imported ``public`` at all;
- :mod:`.mapping`: one joined record to a listing's front matter and body;
- :mod:`.state`: the committed import state, re-import and what a reviewer changed;
- :mod:`.report`: the one report a person acts on (text and Markdown);
- :mod:`.run`: the whole import, used by ``waystation import-hsds``.

Part of the open-data feature: it may import :mod:`waystation.records`,
:mod:`waystation.gazetteer`, :mod:`waystation.site` (slugs) and the foundations.
"""

from waystation.opendata.hsds_import.run import ImportOptions, ImportResult, import_hsds

__all__ = ["ImportOptions", "ImportResult", "import_hsds"]
