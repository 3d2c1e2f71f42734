"""The page framework and the site's own pages: plan, render, write, secure.

Owns the URL scheme (:mod:`.urls`), the page plan (:mod:`.pages`: :class:`PageSpec`,
the listing, browse, home and 404 pages), the Jinja environments and template helpers
(:mod:`.render`, :mod:`.i18n`, :mod:`.template_messages`, :mod:`.hours`,
:mod:`.phones`, :mod:`.qr`), browse groupings (:mod:`.browse`), rendering and writing
in worker processes (:mod:`.write`), the Content-Security-Policy and output scan
(:mod:`.csp`), ``sitemap.xml`` (:mod:`.sitemap`) and the runner of post-build steps
(:mod:`.postbuild`).  Features (search, maps, open data) add their pages and steps to
it; it never imports them.  It may import :mod:`waystation.directory`,
:mod:`waystation.publish` and everything below.
"""
