"""Maps: the marker data, folium made local, the map pages and embeds.

Owns the compact marker data the maps load (:mod:`.markers`), folium with local
assets, stable ids and no inline script (:mod:`.local_folium`) and the overview,
state, embed and embed-builder pages (:mod:`.pages`).  A feature on the page
framework: it may import :mod:`waystation.site` and everything below, never
:mod:`waystation.search` or :mod:`waystation.opendata`.
"""
