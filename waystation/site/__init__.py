"""The page framework and the site's own pages: plan, render, write, secure.

Owns the URL scheme (:mod:`.urls`), the site's own pages (:mod:`.pages`:
:class:`~.pages.PageSpec`, the listing, browse, home and 404 pages), the Jinja
environments and template helpers (:mod:`.render`, :mod:`.i18n`,
:mod:`.template_messages`, :mod:`.hours`, :mod:`.phones`, :mod:`.qr`,
:mod:`.listing_map`), browse groupings (:mod:`.browse`), rendering and writing in
worker processes (:mod:`.write`), the listing pages' search copies packed on disk until
Pagefind reads them (:mod:`.search_packs`), the Content-Security-Policy and output scan
(:mod:`.csp`) and ``sitemap.xml`` (:mod:`.sitemap`).  Features (search, maps, open
data) add their pages and post-build steps to it through :mod:`waystation.build`; it
never imports them.  It may import :mod:`waystation.directory`,
:mod:`waystation.publish` and everything below.
"""
