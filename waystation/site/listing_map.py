"""A listing page's own small map: which shared script draws it.

A listing page carries no map script of its own: one script per kind and zoom
(``map/listing-area-12.js``) serves every listing page, and the page gives the point
(``data-lat``, ``data-lon``, ``data-radius`` on the map's slot, see
``partials/listing_map.html``).  The page framework links the script
(:func:`listing_map_script`); the maps feature writes it
(:func:`waystation.maps.pages.listing_map_js`) at :func:`listing_map_path`.
"""

from __future__ import annotations

from typing import Any

#: Zoom of a listing page's map: a street for a point, the area for a ZIP or city.
LISTING_ZOOM = {"zip": 12, "city": 11}
LISTING_POINT_ZOOM = 15


def listing_map_kind(point: dict[str, Any]) -> tuple[str, int]:
    """A listing map's kind and zoom: ``("point", 15)``, or ``("area", 12)`` for a circle."""
    if point.get("radius_m"):
        return "area", LISTING_ZOOM.get(point["precision"], 12)
    return "point", LISTING_POINT_ZOOM


def listing_map_script(point: dict[str, Any]) -> str:
    """The site path of the script that draws a listing map of ``point``'s kind and zoom.

    One script per kind and zoom serves every listing page (``map/listing-area-12.js``):
    the page gives the point (``data-lat``, ``data-lon``, ``data-radius`` on the map's
    slot, see ``partials/listing_map.html``).
    """
    return listing_map_path(*listing_map_kind(point))


def listing_map_path(kind: str, zoom: int) -> str:
    return f"map/listing-{kind}-{zoom}.js"
