"""The whole build, composed: the plan of every page, the post-build steps, the generator.

Owns the one place that puts the site together from the page framework
(:mod:`waystation.site`) and the features (:mod:`waystation.search`,
:mod:`waystation.maps`, :mod:`waystation.opendata`): which pages are planned
(:mod:`.plan`), which post-build steps run and in what order (:mod:`.postbuild`), and
the build that Pelican drives through the plugin (:mod:`.generator`), and what makes a
rebuild incremental: the last build's manifest, the fingerprints of the inputs and of
each page, the outputs gone stale (:mod:`.incremental`).  It may import
every stage below it; only the commands, the CLI and the Pelican plugin import it.
"""
