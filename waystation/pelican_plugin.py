"""Waystation's Pelican plugin: thin glue between Pelican's signals and Waystation.

``register()`` connects module-level receivers, each one call into
:mod:`waystation.build.generator`:

- ``initialized``: fill in Waystation's declared settings (waystation/settings.py)
  that the configuration file left out, and check them;
- ``generator_init``: give Pelican's own Jinja environment the same globals and
  filters as Waystation's (``_``, ``ngettext``, ``url``, ``label`` …);
- ``get_generators``: :class:`~waystation.build.generator.WaystationGenerator`, which
  validates the listings, places them and writes the site's pages;
- ``finalized``: run the post-build steps (:mod:`waystation.build.postbuild`).

Nothing else lives here: see docs/architecture.md.
"""

from __future__ import annotations

import logging

from pelican import signals

from waystation.build import generator
from waystation.build.generator import BuildFailed


class _NoTracebackForBuildFailures(logging.Filter):
    """Pelican logs a failed build with a traceback; ours say how to fix things."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], BuildFailed):
            record.exc_info = None
        return True


def fill_settings(pelican) -> None:
    generator.check_settings(pelican.settings)


def install_template_helpers(pelican_generator) -> None:
    from waystation.site import render

    env = getattr(pelican_generator, "env", None)
    if env is not None:
        render.install(env)


def get_generators(pelican) -> type:
    return generator.WaystationGenerator


def run_postbuild(pelican) -> None:
    generator.run_postbuild(pelican.output_path, pelican.settings)


def register() -> None:
    logging.getLogger("pelican").addFilter(_NoTracebackForBuildFailures())
    signals.initialized.connect(fill_settings)
    signals.generator_init.connect(install_template_helpers)
    signals.get_generators.connect(get_generators)
    signals.finalized.connect(run_postbuild)
