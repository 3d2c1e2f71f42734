"""Post-build steps: what runs over the written site, in order.

After every page is written (Pelican's ``finalized`` signal) the plugin runs
each step named in :data:`STEPS`, in order.  A step is a function::

    def step(directory: Directory, output: Path, settings: dict) -> None

named ``"package.module:function"`` and imported only when it runs.  A step
must be deterministic (same input, same bytes) and must not touch the
network.  Steps that rewrite every HTML file (the CSP hashes) come last.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from waystation.directory import Directory
from waystation.exc import ConfigurationError

logger = logging.getLogger(__name__)

#: The ordered post-build steps.  Exports and search data first; CSP last.
STEPS: tuple[str, ...] = (
    "waystation.export_all:write_open_data",
    "waystation.export_all:write_maps",
    # The search data carries Pagefind's page ids: index first.
    "waystation.pagefind_index:build_pagefind_index",
    "waystation.search_data:write_search_data",
    "waystation.csp:apply_csp",
)


def load_step(name: str):
    module_name, _, function_name = name.partition(":")
    if not module_name or not function_name:
        raise ConfigurationError(f"post-build step {name!r}: write it as 'package.module:function'")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ConfigurationError(f"post-build step {name!r}: cannot import it ({error})") from None
    step = getattr(module, function_name, None)
    if not callable(step):
        raise ConfigurationError(
            f"post-build step {name!r}: {module_name} has no {function_name}()"
        )
    return step


def run(
    directory: Directory,
    output: Path,
    settings: dict[str, Any],
    steps: Sequence[str] | None = None,
) -> list[str]:
    """Run the steps in order; return their names."""
    names = list(STEPS if steps is None else steps)
    for name in names:
        started = time.perf_counter()
        load_step(name)(directory, Path(output), settings)
        logger.info("Waystation: %s took %.2f s", name, time.perf_counter() - started)
    return names
