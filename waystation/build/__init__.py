"""The whole build, composed: the plan of every page, the post-build steps, the generator.

Owns the one place that puts the site together from the page framework
(:mod:`waystation.site`) and the features (:mod:`waystation.search`,
:mod:`waystation.maps`, :mod:`waystation.opendata`): which pages are planned
(:mod:`.plan`), which post-build steps run and in what order (:mod:`.postbuild`), and
the build that Pelican drives through the plugin (:mod:`.generator`).  It may import
every stage below it; only the commands, the CLI and the Pelican plugin import it.
"""
