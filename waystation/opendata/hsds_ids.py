"""Stable identifiers for exported objects: UUIDv5 from the listing id.

Every HSDS object Waystation writes (organization, service, location, phone,
schedule, ...) gets an id derived from what it is, never a random one, so the
same listing keeps the same ids build after build and a consumer can update
its copy instead of duplicating it.  Changing :data:`NAMESPACE` or a key's
shape would change every id: never do it.
"""

from __future__ import annotations

import hashlib
import uuid

#: The namespace of every Waystation UUID (uuid5(NAMESPACE_URL, "https://waystation.example.org/hsds")).
NAMESPACE = uuid.UUID("000ccbdf-6138-5261-bda9-0eed995f03f2")
_NAMESPACE_BYTES = NAMESPACE.bytes


def hsds_id(kind: str, *parts: object) -> str:
    """The id of one object: ``hsds_id("service", "casa-amapola")``.

    ``str(uuid.uuid5(NAMESPACE, "waystation:<kind>:<part>:..."))``, written out
    (an export makes hundreds of thousands; :class:`uuid.UUID` objects cost more
    than the hash).
    """
    key = ":".join(["waystation", kind, *map(str, parts)])
    sha1 = hashlib.sha1(_NAMESPACE_BYTES + key.encode(), usedforsecurity=False)  # as uuid5
    digest = bytearray(sha1.digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    x = digest.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


def organization_key(name: str) -> str:
    """Listings with the same ``organization`` (whatever its case and spacing) share one."""
    return " ".join(name.split()).casefold()
