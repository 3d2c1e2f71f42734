"""How the build uses the machine: forked processes, the cyclic collector, freed memory.

Owns :mod:`.workers` (how many forked processes share a piece of work, and how they
take turns), :mod:`.forked` (post-build jobs in a forked process or in the build's own,
and a call whose leftovers die with the process that made them), :mod:`.collector`
(pausing Python's cyclic garbage collector around bulk work) and :mod:`.heap` (giving
freed memory back to the system).  A foundation: it imports nothing of Waystation but
:mod:`waystation.exc` and :mod:`waystation.settings`, and every stage may use it.
"""
