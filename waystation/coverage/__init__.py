"""The coverage report: where is there no help within reach?

Owns, for every ZIP code area of the gazetteer, the great-circle distance to the
nearest in-person listing offering each service, each service group, and any service
for each population, trafficking type and language; whether a statewide, national,
phone or online service reaches the area instead ("remote only"); the shares of
ZIP areas beyond the reach thresholds, by state and region; the /coverage/ page
(:mod:`~waystation.coverage.page`), ``coverage.csv`` and ``coverage.json``
(:mod:`~waystation.coverage.files`, post-build step :mod:`~waystation.coverage.steps`)
and the comparison of two directories (:mod:`~waystation.coverage.changes`).

Listings are read only through :meth:`waystation.directory.Directory.public` (what
the site publishes): an approximate listing counts at its published ZIP or city
centre, a hidden one only through its service area.

May import: the foundations (``exc``, ``settings``, ``gazetteer``), ``records``
(vocabularies), ``publish``, ``directory`` and ``site`` (the page framework).  Never
another feature (search, maps, open data, contribute).
"""
