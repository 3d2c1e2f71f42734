"""How the build uses the machine: forked worker processes and the cyclic collector.

Owns :mod:`.workers` (how many forked processes share a piece of work, and how they
take turns) and :mod:`.collector` (pausing Python's cyclic garbage collector around
bulk work).  A foundation: it imports nothing of Waystation but :mod:`waystation.exc`
and :mod:`waystation.settings`, and every stage may use it.
"""
