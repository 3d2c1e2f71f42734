"""Waystation: a static directory of services for survivors of human trafficking.

The package is a pipeline, one subpackage per stage; docs/architecture.md draws it.
:data:`LAYERS` declares its import order once: a module may import modules of its own
package and of any *earlier* layer, never a later one nor a sibling of its own layer
(search, maps, open data and the contribution tools stay independent of each other).
``tests/test_architecture.py`` fails on any import against it and on any import loop.
"""

__version__ = "0.1.0"

#: The import order, from the foundations up.  Each entry is one layer; each name is a
#: subpackage or a top-level module of ``waystation``.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("exc", "settings"),  # the exception tree; the declared settings
    ("runtime", "gazetteer", "text"),  # foundations: processes, places offline, safe text
    ("records",),  # listing files: reading, the model, rules, validation
    ("places",),  # where each listing is: geocoding cache, coordinates, service areas
    ("publish",),  # the one place that decides what may be published
    ("directory",),  # the directory every output sees
    ("site",),  # the page framework and the site's own pages
    ("search", "maps", "opendata", "coverage", "contribute"),  # features; contribution tools
    ("build",),  # the whole site composed: plan, post-build steps, generator
    ("commands", "pelican_plugin"),  # what people run: subcommands, Pelican's plugin
    ("cli",),
    ("__main__",),
)
