"""Open data: CSV, GeoJSON and HSDS 3.0 exports, and the HSDS import.

Owns the flat publishable record of each listing (:mod:`.records`), ``providers.csv``
(:mod:`.csv_file`), ``providers.geojson`` (:mod:`.geojson`), HSDS 3.0 as JSON and as a
tabular package (:mod:`.hsds`, :mod:`.hsds_tables`, stable ids in :mod:`.hsds_ids`),
the post-build step that writes them (:mod:`.steps`) and turning HSDS data into
listing files (:mod:`.hsds_import`).  A feature: it may import :mod:`waystation.site`
and everything below, never :mod:`waystation.search` or :mod:`waystation.maps`.
"""
