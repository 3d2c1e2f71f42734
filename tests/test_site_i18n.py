"""English and Spanish: complete catalogs, correct lang/hreflang, a switch to the same page.

The catalog test extracts the UI strings with Babel's Python API from the same
mapping `make messages` uses (babel.cfg), so a string added to any template or
module without a Spanish translation fails here, named.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from waystation.records import vocabulary
from waystation.site import i18n

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("es",)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


def extracted_messages() -> dict[str, list[str]]:
    """msgid -> files using it, extracted as `make messages` does."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, "babel.cfg")
    found: dict[str, list[str]] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, []).append(filename)
    return found


@pytest.fixture(scope="module")
def messages() -> dict[str, list[str]]:
    return extracted_messages()


def read_catalog(lang: str):
    with i18n.catalog_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang)


def test_extraction_finds_the_ui_strings(messages):
    # The templates' and the package's strings are both seen.
    assert "Exit this page" in messages
    assert "In danger now?" in messages
    assert "National Human Trafficking Hotline" in messages  # a settings default, N_()
    assert any(f.startswith("theme/templates/") for files in messages.values() for f in files)
    assert len(messages) > 50


@pytest.mark.parametrize("lang", LANGS)
def test_every_ui_string_has_a_translation(messages, lang):
    missing = i18n.missing_translations(lang, list(messages))
    report = "\n".join(f"  {m!r} (in {', '.join(sorted(set(messages[m])))})" for m in missing)
    assert not missing, (
        f"{len(missing)} UI string(s) without a {lang} translation: run `make messages`, then "
        f"translate them in {i18n.catalog_path(lang).relative_to(ROOT)} "
        f"(docs/translating.md):\n{report}"
    )


def test_missing_translations_detects_a_gap(tmp_path, monkeypatch):
    """The check above can fail: an empty msgstr is reported."""
    po = tmp_path / "xx" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid "Exit this page"\nmsgstr ""\n\nmsgid "Home"\nmsgstr "Inicio"\n', encoding="utf-8"
    )
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    assert i18n.missing_translations("xx", ["Exit this page", "Home", "New string"]) == [
        "Exit this page",
        "New string",
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_translations_keep_their_placeholders(lang):
    problems = []
    for message in read_catalog(lang):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        wanted = sorted(set(PLACEHOLDER.findall(" ".join(ids))))
        for text in strings:
            got = sorted(set(PLACEHOLDER.findall(text)))
            # A singular may leave out the count ("una ficha"), never add or rename.
            if not set(got) <= set(wanted) or (len(strings) == 1 and got != wanted):
                problems.append(f"{ids[0]!r}: {text!r} has {got}, expected {wanted}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_compiles_and_translates(lang):
    i18n.translations.cache_clear()
    gettext = i18n.gettext_for(lang)
    assert gettext("Exit this page") == "Salir de esta página"
    assert i18n.ngettext_for(lang)("%(num)s listing.", "%(num)s listings.", 2) == (
        "%(num)s fichas."
    )


@pytest.mark.parametrize("name", ["services", "populations", "features", "accessibility"])
def test_vocabulary_labels_exist_in_spanish(name):
    vocab = vocabulary.get(name)
    missing = [t.id for t in vocab.terms if not t.label_in("es") or t.label_in("es") == t.id]
    assert not missing, f"{name}: terms without a Spanish label: {missing}"


# ---- The built site ------------------------------------------------------------------


class _LangLinks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.lang = None
        self.noindex = False
        self.alternates: dict[str, str] = {}
        self.switch: list[tuple[str, str]] = []
        self._in_switch = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "meta" and a.get("name") == "robots":
            self.noindex = "noindex" in (a.get("content") or "")
        elif tag == "link" and a.get("rel") == "alternate" and a.get("hreflang"):
            self.alternates[a["hreflang"]] = a["href"]
        elif tag == "nav" and "language-switch" in (a.get("class") or ""):
            self._in_switch = 1
        elif tag == "a" and self._in_switch and a.get("hreflang"):
            self.switch.append((a["hreflang"], a["href"]))

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_switch = 0


def _resolve(page: Path, href: str, site: Path) -> Path:
    target = (page.parent / href).resolve()
    if target.is_dir() or href.endswith("/"):
        target = target / "index.html"
    return target


def _pages(site: Path) -> list[Path]:
    return [
        p
        for p in sorted(site.rglob("index.html"))
        if not p.relative_to(site).as_posix().startswith(("theme/", "pagefind/"))
    ]


@pytest.mark.slow
def test_every_page_has_lang_hreflang_and_a_switch_to_the_same_page(built_site):
    site = Path(built_site)
    problems = []
    checked = 0
    for page in _pages(site):
        rel = page.relative_to(site).as_posix()
        expected_lang = "es" if rel.startswith("es/") else "en"
        other_lang = "en" if expected_lang == "es" else "es"
        parsed = _LangLinks()
        parsed.feed(page.read_text(encoding="utf-8"))
        if parsed.lang != expected_lang:
            problems.append(f"{rel}: <html lang={parsed.lang!r}>, expected {expected_lang!r}")
        if parsed.noindex and not parsed.alternates:
            # Pages kept out of search engines (embeds shown inside partners' sites) need
            # no alternates, but still their language.
            checked += 1
            continue
        if set(parsed.alternates) != {"en", "es"}:
            problems.append(f"{rel}: hreflang alternates {sorted(parsed.alternates)}")
            continue
        if _resolve(page, parsed.alternates[expected_lang], site) != page.resolve():
            problems.append(f"{rel}: hreflang={expected_lang} does not point to itself")
        other = _resolve(page, parsed.alternates[other_lang], site)
        if not other.is_file():
            problems.append(f"{rel}: hreflang={other_lang} points to a missing page")
        else:
            counterpart = other.relative_to(site).as_posix()
            expected = rel[3:] if expected_lang == "es" else "es/" + rel
            if counterpart != expected:
                problems.append(f"{rel}: the {other_lang} version is {counterpart}, not {expected}")
        switch = dict(parsed.switch)
        if other_lang not in switch or _resolve(page, switch[other_lang], site) != other:
            problems.append(f"{rel}: the language switch does not lead to the same page")
        checked += 1
    assert checked > 50
    assert not problems, "\n".join(problems[:40])


@pytest.mark.slow
def test_spanish_pages_speak_spanish(built_site):
    site = Path(built_site)
    home = (site / "es" / "index.html").read_text(encoding="utf-8")
    assert "Salir de esta página" in home
    assert "¿Está en peligro ahora?" in home
    assert "Línea Nacional contra la Trata de Personas" in home
    assert "Exit this page" not in home
    # UI strings of every Spanish page come from the catalog: no English UI string shows.
    english_ui = ["Find help by state", "Skip to main content", "How quick exit works"]
    for page in _pages(site / "es"):
        text = page.read_text(encoding="utf-8")
        leaked = [s for s in english_ui if s in text]
        assert not leaked, f"{page.relative_to(site)}: English UI text {leaked}"


@pytest.mark.slow
def test_listing_text_is_translated_or_marked(built_site):
    """Listing fields use their `translations` in Spanish, else say "not translated"."""
    site = Path(built_site)
    translated = untranslated = 0
    for page in sorted((site / "es" / "providers").glob("*/index.html")):
        text = page.read_text(encoding="utf-8")
        source = (ROOT / "providers" / f"{page.parent.name}.md").read_text(encoding="utf-8")
        if re.search(r"^translations:\s*\n\s+es:", source, re.M):
            translated += 1
        else:
            # Fields shown in English are marked, for people and for screen readers.
            assert "(sin traducir)" in text or "todavía no está traducida" in text, page
            assert 'lang="en"' in text, page
            untranslated += 1
    assert translated and untranslated
