"""Where each listing is: the geocoding cache, the geocoder, coordinates, service areas.

Owns the committed geocoding cache (:mod:`.geocache`), the only code that talks to a
geocoder (:mod:`.geocoder`, used by ``waystation geocode`` alone, never by a build),
the offline choice of each listing's point and its precision (:mod:`.coordinates`)
and the states a listing serves (:mod:`.service_area`).  It may import
:mod:`waystation.records` and the foundations, nothing above.
"""
