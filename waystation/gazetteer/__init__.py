"""The offline gazetteer: US states, and ZIP and city centres.

Owns :mod:`.states` (the states and territories as the record format names them)
and :mod:`.centres` (ZIP and city centroids from the ``zipcodes`` package, and "is
this point in that state?").  A foundation: the record rules, the placing of
listings, search and the coverage of the directory all read it; it imports nothing
of Waystation's but :mod:`waystation.exc` and :mod:`waystation.settings`.
"""
