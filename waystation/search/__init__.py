"""Search: the search page, its data files, the Pagefind index and the ZIP shards.

Owns the search page (:mod:`.page`), the data the browser filters and sorts
(:mod:`.data`), the full-text index built by Pagefind (:mod:`.pagefind`) and the ZIP
and city centres the browser uses to turn a place into a point (:mod:`.zip_shards`).
A feature on the page framework: it may import :mod:`waystation.site` and everything
below, never :mod:`waystation.maps` or :mod:`waystation.opendata`.
"""
