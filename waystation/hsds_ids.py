"""Stable identifiers for exported objects: UUIDv5 from the listing id.

Every HSDS object Waystation writes (organization, service, location, phone,
schedule, ...) gets an id derived from what it is, never a random one, so the
same listing keeps the same ids build after build and a consumer can update
its copy instead of duplicating it.  Changing :data:`NAMESPACE` or a key's
shape would change every id: never do it.
"""

from __future__ import annotations

import uuid

#: The namespace of every Waystation UUID (uuid5(NAMESPACE_URL, "https://waystation.example.org/hsds")).
NAMESPACE = uuid.UUID("000ccbdf-6138-5261-bda9-0eed995f03f2")


def hsds_id(kind: str, *parts: object) -> str:
    """The id of one object: ``hsds_id("service", "casa-amapola")``."""
    key = ":".join(["waystation", kind, *(str(p) for p in parts)])
    return str(uuid.uuid5(NAMESPACE, key))


def organization_key(name: str) -> str:
    """Listings with the same ``organization`` (whatever its case and spacing) share one."""
    return " ".join(name.split()).casefold()
