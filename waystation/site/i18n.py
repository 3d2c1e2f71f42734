"""User-interface translations: gettext catalogs compiled at build time.

UI strings are marked ``_("…")`` in templates and Python; ``make messages``
extracts them with Babel into ``waystation/locale/messages.pot`` and updates
``waystation/locale/<lang>/LC_MESSAGES/messages.po``.  The build compiles the
``.po`` files in memory (no ``.mo`` is committed), so a translation edited by
pull request is live on the next build.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent.parent / "locale"
DOMAIN = "messages"


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog for ``lang`` (English, the source language, needs none)."""
    path = catalog_path(lang)
    if lang == "en" or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention Babel looks for
    """Mark ``message`` for extraction without translating it (``gettext_noop``)."""
    return message


#: Strings that reach the pages from settings' defaults (``HOTLINES``), translated at
#: render time with ``_(value)``: marked here so Babel extracts them into the catalogs.
SETTINGS_STRINGS = (
    N_("National Human Trafficking Hotline"),
    N_("24/7"),
)


def missing_translations(lang: str, msgids: list[str] | None = None) -> list[str]:
    """The msgids of the ``lang`` catalog (or of ``msgids``) that have no translation."""
    path = catalog_path(lang)
    if not path.exists():
        return sorted(msgids or [])
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    translated = set()
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if all(strings):
            key = message.id[0] if isinstance(message.id, tuple | list) else message.id
            translated.add(key)
    wanted = (
        msgids
        if msgids is not None
        else [(m.id[0] if isinstance(m.id, tuple | list) else m.id) for m in catalog if m.id]
    )
    return sorted({m for m in wanted if m not in translated})


def gettext_for(lang: str):
    return translations(lang).gettext


def ngettext_for(lang: str):
    return translations(lang).ngettext
