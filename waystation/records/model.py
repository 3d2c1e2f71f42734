"""The listing record: the pydantic model of ``record-format.md``.

The model is strict (nothing is silently coerced: a ZIP written as a number
is an error, not a number with its leading zero lost) and forbids unknown
fields.  Vocabulary fields take their allowed terms from
``waystation/data/vocabularies.yaml``.  Rules that relate fields to each
other, or need a library (phone numbers, e-mail syntax, ZIP/state), live in
:mod:`waystation.records.rules`, which reports each at the offending line.

:func:`json_schema` turns the model into the JSON Schema committed at
``waystation/data/listing.schema.json`` for editors.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from waystation.gazetteer.states import STATES
from waystation.records import vocabulary

SCHEMA_ID = "https://waystation.example.org/schema/listing.schema.json"


def _terms(name: str) -> Any:
    return Literal[vocabulary.get(name).ids]  # type: ignore[valid-type]


ServiceTerm = _terms("services")
PopulationTerm = _terms("populations")
FeatureTerm = _terms("features")
AccessibilityTerm = _terms("accessibility")
TraffickingType = _terms("trafficking_types")
CostTerm = _terms("cost")
PhoneType = _terms("phone_types")
StatusTerm = _terms("status")
Visibility = _terms("visibility")
Day = _terms("days")
StateCode = Literal[tuple(STATES)]  # type: ignore[valid-type]

LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2,3}$", description="ISO 639-1 or 639-3 code")]
HHMM = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", examples=["09:00"])]
Text = Annotated[str, Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


def _date_from_text(value: Any) -> Any:
    # A quoted "2026-03-14" is as clear as an unquoted one; accept both.
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        return value  # refused: a date, not a time
    return value


class Coordinates(_Model):
    lat: float = Field(ge=-90, le=90, description="Latitude in degrees")
    lon: float = Field(ge=-180, le=180, description="Longitude in degrees")


class Location(_Model):
    visibility: Visibility = Field(
        description="public: full address shown and mapped; approximate: only city/ZIP, "
        "drawn as an area; hidden: no place shown at all"
    )
    street: Text | None = Field(None, description="Only when visibility is public")
    street2: Text | None = Field(None, description="Only when visibility is public")
    city: Text | None = Field(None, description="Required for public and approximate")
    state: StateCode = Field(description="USPS code: 50 states, DC, PR, GU, VI, AS, MP")
    postal_code: str | None = Field(
        None, pattern=r"^[0-9]{5}(-?[0-9]{4})?$", description="5 or 9 digit ZIP, quoted"
    )
    coordinates: Coordinates | None = Field(None, description="Only when visibility is public")
    accessibility: list[AccessibilityTerm] | None = None
    transit: Text | None = None


class Phone(_Model):
    number: str = Field(
        min_length=1,
        description="A valid phone number (US by default; '+' and country code for others), "
        "or a 5-6 digit SMS short code for type text",
    )
    type: PhoneType
    label: Text | None = None
    hours: Text | None = Field(None, description="'24/7' or free text")
    languages: list[LanguageCode] | None = None


class OpeningHours(_Model):
    days: list[Day] = Field(min_length=1)
    opens: HHMM
    closes: HHMM
    overnight: bool = Field(False, description="closes the next day")


class Ages(_Model):
    min: int | None = Field(None, ge=0, le=120)
    max: int | None = Field(None, ge=0, le=120)


class ServiceArea(_Model):
    national: bool | None = None
    states: list[StateCode] | None = None
    counties: list[Annotated[str, Field(pattern=r"^[A-Z]{2}/.+$", examples=["IL/Cook"])]] | None = (
        None
    )
    remote: bool | None = Field(None, description="also serves by phone or online")


class Translation(_Model):
    name: Text | None = None
    summary: Text | None = Field(None, max_length=200)
    eligibility: Text | None = None
    how_to_apply: Text | None = None
    fees: Text | None = None
    description: Text | None = Field(None, description="Markdown")


class ListingRecord(_Model):
    """The front matter of one listing file."""

    name: str = Field(min_length=3, max_length=150)
    services: list[ServiceTerm] = Field(min_length=1)
    trafficking_types: list[TraffickingType] = Field(min_length=1)
    location: Location
    last_verified: dt.date = Field(
        description="When a person last confirmed the listing with the provider (YYYY-MM-DD)"
    )
    status: StatusTerm = "active"
    organization: Text | None = None
    alternate_name: Text | None = None
    summary: Text | None = Field(None, max_length=200)
    populations: list[PopulationTerm] | None = Field(None, description='absent means "all"')
    ages: Ages | None = None
    languages: list[LanguageCode] | None = None
    features: list[FeatureTerm] | None = None
    cost: CostTerm | None = None
    fees: Text | None = None
    eligibility: Text | None = None
    how_to_apply: Text | None = None
    phones: list[Phone] | None = None
    email: Text | None = None
    website: Text | None = None
    hours: Literal["24/7"] | list[OpeningHours] | None = None
    hours_notes: Text | None = None
    service_area: ServiceArea | None = None
    tags: list[Text] | None = None
    translations: dict[LanguageCode, Translation] | None = None
    source: Text | None = None
    source_id: Text | None = Field(
        None,
        description="The id of the record this listing was imported from (import-hsds); "
        "never published",
    )

    _coerce_date = field_validator("last_verified", mode="before")(_date_from_text)


FIELDS: tuple[str, ...] = tuple(ListingRecord.model_fields)
SUBFIELDS: dict[str, tuple[str, ...]] = {
    "location": tuple(Location.model_fields),
    "location.coordinates": tuple(Coordinates.model_fields),
    "phones": tuple(Phone.model_fields),
    "hours": tuple(OpeningHours.model_fields),
    "ages": tuple(Ages.model_fields),
    "service_area": tuple(ServiceArea.model_fields),
    "translations": tuple(Translation.model_fields),
}


@dataclass(frozen=True)
class Listing:
    """A valid listing: its id, file, record and Markdown body."""

    id: str
    source_path: str
    record: ListingRecord
    body: str = ""
    #: The line of the file's ``location:`` key, where the later stages place their
    #: warnings about the listing's place (only that line is kept: every key's line, as
    #: a dict, took 1.2 KB a listing, 58 MB of the build's memory at 50,000 listings).
    location_line: int = field(default=1, compare=False, hash=False)

    @property
    def published(self) -> bool:
        return self.record.status != "inactive"

    @property
    def visibility(self) -> str:
        return self.record.location.visibility


#: One set object per distinct set of given fields (:func:`share_fields_sets`).
_FIELDS_SETS: dict[frozenset[str], set[str]] = {}


def share_fields_sets(records: Iterable[BaseModel]) -> None:
    """Give every model in ``records`` (nested ones too) one shared set object for the
    fields that were given (pydantic's ``model_fields_set``), instead of a set of its own.

    Each validated model keeps that set (``__pydantic_fields_set__``): about 2.4 KB a
    listing, 0.11 GB of the build's memory at 50,000 listings, for a few hundred distinct
    sets.  The models are frozen, so nothing adds to a model's set (a copy gets a copy of
    it); it stays a ``set``, which pydantic's serializer requires (a ``frozenset`` fails
    ``model_dump(exclude_unset=True)``).  This is the one place that writes a pydantic
    attribute; ``tests/test_records_validation.py`` fails if pydantic stops keeping the
    set there or reading it from there."""
    stack = list(records)
    while stack:
        model = stack.pop()
        given = frozenset(model.__pydantic_fields_set__)
        shared = _FIELDS_SETS.get(given)
        if shared is None:
            shared = _FIELDS_SETS[given] = set(given)
        object.__setattr__(model, "__pydantic_fields_set__", shared)
        for value in model.__dict__.values():
            if isinstance(value, BaseModel):
                stack.append(value)
            elif isinstance(value, list | tuple):
                stack.extend(item for item in value if isinstance(item, BaseModel))
            elif isinstance(value, dict):
                stack.extend(item for item in value.values() if isinstance(item, BaseModel))


def json_schema() -> dict[str, Any]:
    schema = ListingRecord.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "Waystation listing"
    schema["description"] = (
        "Front matter of one listing file in providers/. Generated from "
        "waystation/records/model.py by `waystation schema`; do not edit by hand."
    )
    schema["anyOf"] = [{"required": ["phones"]}, {"required": ["website"]}, {"required": ["email"]}]
    return schema


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
