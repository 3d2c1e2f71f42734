"""Waystation's site configuration (development).

Pelican reads this file, and so does Waystation: every Waystation setting is
declared, with its default and help, in waystation/settings.py (run
`waystation settings` to list them; docs/settings.md documents them).  Set a
Waystation setting here only to change its default.  publishconf.py adds the
production values on top of this file.
"""

import os
import sys

# Pelican runs from the project folder; make `waystation` importable without install.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# --- Waystation settings (see docs/settings.md) ------------------------------
SITENAME = "Waystation"
SITEURL = ""
PROVIDERS_PATH = "providers"
LANGUAGES = ["en", "es"]

# --- Pelican ------------------------------------------------------------------
PATH = "content"
THEME = "theme"
PLUGINS = ["waystation.pelican_plugin"]
TIMEZONE = "UTC"
DEFAULT_LANG = LANGUAGES[0]
DEFAULT_DATE = None

# Links relative to each page, so the site works from any sub-path of any host.
RELATIVE_URLS = True

# Listings are not Pelican content: Waystation's generator reads providers/,
# which lives outside PATH.  Pelican only reads the Markdown pages of
# content/pages/ (about, how to add a listing, hotlines, safety and privacy).
ARTICLE_PATHS = []
PAGE_PATHS = ["pages"]
STATIC_PATHS = []
DIRECT_TEMPLATES = []
PAGINATED_TEMPLATES = {}
# Linking every page from every page costs minutes on a large site.
DISPLAY_PAGES_ON_MENU = False
DISPLAY_CATEGORIES_ON_MENU = False

# Pretty URLs: /about/ and /es/about/.
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
PAGE_LANG_URL = "{lang}/{slug}/"
PAGE_LANG_SAVE_AS = "{lang}/{slug}/index.html"
ARTICLE_SAVE_AS = ""
ARTICLE_LANG_SAVE_AS = ""
DRAFT_SAVE_AS = ""
DRAFT_LANG_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""
DRAFT_PAGE_LANG_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
TAG_SAVE_AS = ""
TAGS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = ""
DAY_ARCHIVE_SAVE_AS = ""
INDEX_SAVE_AS = ""

# No feeds: nothing here is news, and feeds would need SITEURL.
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

# Content caching: a rebuild re-reads only the pages that changed.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"
CHECK_MODIFIED_METHOD = "mtime"

# Templates: escape everything; trim the whitespace of block tags.
JINJA_ENVIRONMENT = {
    "autoescape": True,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "extensions": [],
}

# Deterministic output: no timestamps, sorted everything (Waystation's pages),
# no "generated on" dates.
OUTPUT_SOURCES = False
DELETE_OUTPUT_DIRECTORY = False
