"""The embed builder, the embed's map script and the partner guide agree (issue 19): one
zoom range (``EMBED_ZOOM_RANGE``), the snippet's title in the map's language."""

from __future__ import annotations

import re
from pathlib import Path

from waystation.maps import pages

ROOT = Path(__file__).resolve().parent.parent


def test_one_zoom_range_in_the_builder_the_map_script_and_the_docs(built_site):
    low, high = pages.EMBED_ZOOM_RANGE
    script = (ROOT / "theme" / "static" / "js" / "map.js").read_text(encoding="utf-8")
    clamps = set(re.findall(r"Math\.max\((\d+), Math\.min\((\d+), zoom\)\)", script))
    assert clamps == {(str(low), str(high))}
    docs = (ROOT / "docs" / "embedding.md").read_text(encoding="utf-8")
    assert re.search(r"\| `zoom` \| `\d+` \| zoom level, (\d+)–(\d+)", docs).groups() == (
        str(low),
        str(high),
    )
    english = (built_site / "embed" / "index.html").read_text(encoding="utf-8")
    spanish = (built_site / "es" / "embed" / "index.html").read_text(encoding="utf-8")
    assert f"Zoom, {low} to {high} (optional)" in english
    assert f"Zoom, de {low} a {high} (opcional)" in spanish
    for page in (english, spanish):
        assert f'data-zoom-min="{low}" data-zoom-max="{high}"' in page


def test_the_snippet_title_is_in_the_language_of_the_map(built_site):
    titles = pages.embed_titles(["en", "es"])
    assert titles == {
        "en": "Map of services for survivors of human trafficking",
        "es": "Mapa de servicios para sobrevivientes de la trata de personas",
    }
    spanish = (built_site / "es" / "embed" / "index.html").read_text(encoding="utf-8")
    code = spanish.split('<textarea id="embed-code"', 1)[1].split("</textarea>", 1)[0]
    assert 'title="Mapa de servicios para sobrevivientes de la trata de personas"' in code
    assert "embed-quick-exit.js" in code
