"""Talking to a geocoder through geopy: set-up, politeness, retries, messages.

:func:`build_geocoder` makes any geopy geocoder from the settings
(``GEOCODER``, ``GEOCODER_OPTIONS``, ``GEOCODER_USER_AGENT``,
``GEOCODER_API_KEY_ENV``, ``GEOCODER_TIMEOUT_SECONDS``) and refuses a
missing or library-default User-Agent, as Nominatim's usage policy asks.

:class:`Lookup` sends one address at a time through geopy's
:class:`~geopy.extra.rate_limiter.RateLimiter` (``GEOCODER_MIN_DELAY_SECONDS``
between requests, measured with the real clock) and retries, with
exponential backoff, what may pass: timeouts and unreachable servers
(``GeocoderTimedOut`` and ``GeocoderUnavailable``; with ``requests``
installed a read timeout arrives as the latter), HTTP 429 (waiting
``retry_after`` when the server sends ``Retry-After``) and 5xx
(``GeocoderServiceError``).  Whatever still fails becomes a
:class:`LookupFailed` with a one-line message saying what to do; ``fatal``
failures (refused credentials, an exhausted quota, a server that cannot be
reached) mean the other addresses would fail the same way.
"""

from __future__ import annotations

import inspect
import math
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from geopy import exc as geopy_exc
from geopy.adapters import RequestsAdapter, URLLibAdapter
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import get_geocoder_for_service
from geopy.geocoders.base import Geocoder, options

from waystation.exc import ConfigurationError

#: The longest ``Retry-After`` honoured; a longer one stops the run.
MAX_RETRY_AFTER_SECONDS = 120.0
#: First backoff wait; each retry doubles it, up to :data:`MAX_BACKOFF_SECONDS`.
BACKOFF_BASE_SECONDS = 2.0
MAX_BACKOFF_SECONDS = 60.0

#: User-Agent values that identify a library (or a placeholder), not a site.
_GENERIC_AGENTS = re.compile(
    r"(geopy|python-requests|python-urllib|urllib3|requests|httpx|aiohttp|curl|wget)"
    r"(/[\w.+-]*)?|specify_your_app_name_here|my[-_ ]?app(lication)?|test|waystation",
    re.IGNORECASE,
)
_UNREACHABLE = re.compile(
    r"connection refused|failed to establish|newconnectionerror|name or service not known|"
    r"nodename nor servname|temporary failure in name resolution|network is unreachable|"
    r"no route to host|getaddrinfo failed|name resolution",
    re.IGNORECASE,
)
_STATUS = re.compile(r"status code (\d{3})")
_API_KEY_PARAMETERS = ("api_key", "apikey", "key", "ak")


@dataclass(frozen=True)
class Answer:
    """A geocoder's answer for one address."""

    lat: float
    lon: float
    precision: str  # "address", "street", "area" or "unknown"
    address: str  # the geocoder's own wording of what it found


class LookupFailed(Exception):
    """One address could not be looked up.  ``str()`` is a one-line message."""

    def __init__(self, message: str, fatal: bool = False) -> None:
        super().__init__(message)
        self.fatal = fatal


def check_user_agent(user_agent: str) -> None:
    """Refuse an empty or generic User-Agent (Nominatim's usage policy)."""
    example = "'waystation-mycity/1.0 (admin@example.org)'"
    if not user_agent.strip():
        raise ConfigurationError(
            "GEOCODER_USER_AGENT is not set: set it in pelicanconf.py to a name for your site "
            f"and a contact, e.g. {example} (Nominatim's usage policy requires one)"
        )
    if user_agent.strip() == options.default_user_agent or _GENERIC_AGENTS.fullmatch(
        user_agent.strip()
    ):
        raise ConfigurationError(
            f"GEOCODER_USER_AGENT {user_agent!r} is a library's default or a placeholder: set "
            f"it to a name for your site and a contact, e.g. {example} (Nominatim's usage "
            "policy requires one)"
        )


def geocoder_label(settings: Mapping[str, Any]) -> str:
    """How cache entries name the geocoder: ``nominatim`` or ``nominatim (host)``."""
    name = str(settings["GEOCODER"]).lower()
    domain = (settings.get("GEOCODER_OPTIONS") or {}).get("domain")
    return f"{name} ({domain})" if domain else name


def build_geocoder(
    settings: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> Geocoder:
    """Make the geopy geocoder the settings describe; :class:`ConfigurationError` if wrong."""
    environ = os.environ if environ is None else environ
    name = settings["GEOCODER"]
    if not isinstance(name, str) or not name.strip():
        raise ConfigurationError("GEOCODER is empty: set it to a geopy name, e.g. 'nominatim'")
    try:
        cls = get_geocoder_for_service(name.strip())
    except geopy_exc.GeocoderNotFound:
        raise ConfigurationError(
            f"GEOCODER: unknown geocoder {name!r}: use one of geopy's names, e.g. 'nominatim', "
            "'photon', 'arcgis', 'googlev3', 'opencage', 'pelias' (see docs/geocoding.md)"
        ) from None
    user_agent = str(settings.get("GEOCODER_USER_AGENT") or "")
    check_user_agent(user_agent)
    given = settings.get("GEOCODER_OPTIONS") or {}
    if not isinstance(given, Mapping):
        raise ConfigurationError("GEOCODER_OPTIONS must be a dict, e.g. {'domain': 'host'}")
    parameters = inspect.signature(cls.__init__).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    for key in given:
        if key in ("user_agent", "timeout"):
            setting = "GEOCODER_USER_AGENT" if key == "user_agent" else "GEOCODER_TIMEOUT_SECONDS"
            raise ConfigurationError(f"GEOCODER_OPTIONS: remove {key!r} and set {setting} instead")
        if key not in parameters and not takes_any:
            hidden = ("self", "user_agent", "timeout", "adapter_factory")
            known = ", ".join(p for p in parameters if p not in hidden)
            raise ConfigurationError(
                f"GEOCODER_OPTIONS: {name} has no option {key!r}; its options are: {known}"
            )
    kwargs: dict[str, Any] = dict(given)
    if "adapter_factory" in parameters and "adapter_factory" not in kwargs:
        kwargs["adapter_factory"] = _adapter_without_retries
    kwargs["user_agent"] = user_agent.strip()
    kwargs["timeout"] = float(settings.get("GEOCODER_TIMEOUT_SECONDS") or 10.0)
    key_env = str(settings.get("GEOCODER_API_KEY_ENV") or "")
    if key_env:
        value = environ.get(key_env, "")
        if not value:
            raise ConfigurationError(
                f"the environment variable {key_env} (GEOCODER_API_KEY_ENV) is not set: "
                f"export {key_env}=<your API key> before running `waystation geocode`"
            )
        param = next((p for p in _API_KEY_PARAMETERS if p in parameters), None)
        if param is None:
            raise ConfigurationError(
                f"GEOCODER_API_KEY_ENV is set but {name} takes no API key: unset it, or pass "
                "the credentials it needs in GEOCODER_OPTIONS"
            )
        kwargs[param] = value
    required = [
        p.name
        for p in parameters.values()
        if p.name != "self"
        and p.default is inspect.Parameter.empty
        and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        and p.name not in kwargs
    ]
    if required:
        hint = (
            "set GEOCODER_API_KEY_ENV to the name of an environment variable holding it"
            if set(required) & set(_API_KEY_PARAMETERS)
            else "add it to GEOCODER_OPTIONS"
        )
        raise ConfigurationError(f"GEOCODER {name!r} needs {', '.join(required)}: {hint}")
    try:
        return cls(**kwargs)
    except (TypeError, ValueError, geopy_exc.GeopyError) as error:
        raise ConfigurationError(
            f"GEOCODER_OPTIONS: cannot set up {name}: {error}; see docs/geocoding.md"
        ) from None


def _adapter_without_retries(**kwargs: Any) -> Any:
    """geopy's usual HTTP adapter, without urllib3's own hidden retries.

    By default ``requests`` retries a read timeout or a 429 twice by itself,
    outside the rate limiter and unseen; :class:`Lookup` does every retry.
    """
    if RequestsAdapter.is_available:
        return RequestsAdapter(max_retries=0, **kwargs)
    return URLLibAdapter(**kwargs)


def match_precision(raw: Any) -> str:
    """How fine a geocoder's match is: ``address``, ``street``, ``area`` or ``unknown``.

    Reads Nominatim's ``place_rank`` (30 a house or building, 26-27 a
    street, less an area) or ``addresstype``; other geocoders say
    ``unknown``.
    """
    if not isinstance(raw, Mapping):
        return "unknown"
    rank = raw.get("place_rank")
    if isinstance(rank, int | str) and str(rank).isdigit():
        value = int(rank)
        if value >= 28:
            return "address"
        if value >= 26:
            return "street"
        return "area"
    kind = raw.get("addresstype")
    if kind in ("house", "building", "amenity", "office", "shop"):
        return "address"
    if kind in ("road", "street"):
        return "street"
    if kind:
        return "area"
    return "unknown"


def is_unreachable(error: BaseException) -> bool:
    """A connection that could not be made at all (as opposed to a slow answer)."""
    return isinstance(error, geopy_exc.GeocoderUnavailable) and bool(
        _UNREACHABLE.search(str(error))
    )


def _status(error: BaseException) -> str:
    match = _STATUS.search(str(error))
    return f" (HTTP {match.group(1)})" if match else ""


class Lookup:
    """Look addresses up one at a time, politely, surviving what can be survived.

    ``sleep`` waits between retries (inject a fake in tests); the spacing
    between requests is kept by geopy's ``RateLimiter`` with the real clock.
    ``on_retry(attempt, message, wait_seconds)`` is told about each retry.
    """

    def __init__(
        self,
        geocoder: Geocoder,
        *,
        min_delay_seconds: float = 1.0,
        max_retries: int = 3,
        timeout_seconds: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
        on_retry: Callable[[int, str, float], None] | None = None,
        backoff_base_seconds: float = BACKOFF_BASE_SECONDS,
    ) -> None:
        self.geocoder = geocoder
        self.max_retries = max(0, int(max_retries))
        self.timeout_seconds = timeout_seconds
        self.sleep = sleep
        self.on_retry = on_retry
        self.backoff_base_seconds = backoff_base_seconds
        delay = max(0.0, float(min_delay_seconds))
        self._limited = RateLimiter(
            geocoder.geocode,
            min_delay_seconds=delay,
            max_retries=0,
            error_wait_seconds=delay,
            swallow_exceptions=False,
        )
        try:
            parameters = inspect.signature(geocoder.geocode).parameters
        except (TypeError, ValueError):
            parameters = {}  # type: ignore[assignment]
        self._country_codes = "country_codes" in parameters

    @property
    def server(self) -> str:
        """Where requests go, for messages (``https://nominatim.openstreetmap.org``)."""
        domain = getattr(self.geocoder, "domain", None)
        scheme = getattr(self.geocoder, "scheme", None) or "https"
        return f"{scheme}://{domain}" if domain else type(self.geocoder).__name__

    def backoff(self, attempt: int) -> float:
        return min(MAX_BACKOFF_SECONDS, self.backoff_base_seconds * (2**attempt))

    def describe(self, error: BaseException) -> str:
        """One line saying what went wrong and what to do."""
        where = self.server
        if isinstance(error, geopy_exc.GeocoderRateLimited):
            after = f", asking to wait {error.retry_after:g} s" if error.retry_after else ""
            return (
                f"{where} says too many requests (HTTP 429{after}): raise "
                "GEOCODER_MIN_DELAY_SECONDS, or try again later"
            )
        if isinstance(error, geopy_exc.GeocoderAuthenticationFailure):
            return (
                f"{where} refused the credentials{_status(error)}: check the API key in the "
                "environment variable named by GEOCODER_API_KEY_ENV"
            )
        if isinstance(error, geopy_exc.GeocoderInsufficientPrivileges):
            return (
                f"{where} refused access{_status(error)}: check GEOCODER_USER_AGENT and the "
                "service's usage policy (Nominatim blocks generic or abusive clients)"
            )
        if isinstance(error, geopy_exc.GeocoderQuotaExceeded):
            return f"{where} says the quota is used up{_status(error)}: try again later"
        if isinstance(error, geopy_exc.GeocoderQueryError):
            return f"{where} refused the query{_status(error)}: check the address"
        if isinstance(error, geopy_exc.GeocoderParseError):
            return (
                f"{where} sent an answer that is not valid JSON: is GEOCODER_OPTIONS['domain'] "
                "a geocoding service? try again later"
            )
        if is_unreachable(error):
            return (
                f"cannot reach the geocoder at {where} (no connection): check the network, "
                "and GEOCODER_OPTIONS['domain'] if you set one"
            )
        if isinstance(error, geopy_exc.GeocoderTimedOut) or "timed out" in str(error).lower():
            return (
                f"{where} did not answer within {self.timeout_seconds:g} s: try again later, "
                "or raise GEOCODER_TIMEOUT_SECONDS"
            )
        if isinstance(error, geopy_exc.GeocoderUnavailable):
            return f"{where} is unavailable{_status(error)}: try again later"
        if isinstance(error, geopy_exc.GeocoderServiceError):
            return f"{where} failed{_status(error)}: the service may be overloaded; try later"
        return f"{where} sent an answer geopy cannot read ({type(error).__name__}): try later"

    def __call__(self, query: str, country_code: str | None = None) -> Answer | None:
        """Geocode ``query``; ``None`` if the geocoder found nothing.

        Raises :class:`LookupFailed` when the address could not be looked up.
        """
        kwargs: dict[str, Any] = {"exactly_one": True}
        if self._country_codes and country_code:
            kwargs["country_codes"] = country_code
        attempt = 0
        while True:
            try:
                location = self._limited(query, **kwargs)
            except geopy_exc.GeocoderRateLimited as error:
                wait = error.retry_after if error.retry_after else self.backoff(attempt)
                message = self.describe(error)
                if wait > MAX_RETRY_AFTER_SECONDS or attempt >= self.max_retries:
                    raise LookupFailed(message, fatal=True) from None
            except (
                geopy_exc.GeocoderAuthenticationFailure,
                geopy_exc.GeocoderInsufficientPrivileges,
                geopy_exc.GeocoderQuotaExceeded,
            ) as error:
                raise LookupFailed(self.describe(error), fatal=True) from None
            except (geopy_exc.GeocoderQueryError, geopy_exc.GeocoderParseError) as error:
                raise LookupFailed(self.describe(error)) from None
            except geopy_exc.GeocoderServiceError as error:
                # Timeouts, unreachable servers, 5xx: worth another try.
                if attempt >= self.max_retries:
                    raise LookupFailed(self.describe(error), fatal=is_unreachable(error)) from None
                wait = self.backoff(attempt)
                message = self.describe(error)
            except (ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
                raise LookupFailed(self.describe(error)) from None
            else:
                return self._answer(location)
            attempt += 1
            if self.on_retry:
                self.on_retry(attempt, message, wait)
            self.sleep(wait)

    def _answer(self, location: Any) -> Answer | None:
        if location is None:
            return None
        try:
            lat, lon = float(location.latitude), float(location.longitude)
        except (TypeError, ValueError, AttributeError):
            raise LookupFailed(
                f"{self.server} sent an answer without usable coordinates: try again later"
            ) from None
        if not (math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
            raise LookupFailed(
                f"{self.server} sent coordinates out of range ({lat}, {lon}): try again later"
            )
        raw = getattr(location, "raw", None)
        return Answer(lat, lon, match_precision(raw), str(getattr(location, "address", "") or ""))
