"""Template messages translated when a template is compiled, not on every page.

A listing page calls ``_("…")`` about thirty times; each call goes through Jinja's
context and a catalogue lookup.  In an environment made for one language
(:func:`waystation.site.render.make_environment` with ``lang``), the extension
:class:`ConstantMessages` replaces each ``_("literal")`` (one string, no
``%(name)s`` values passed) with the literal's translation while the template is
compiled.  The translation is then a constant of the template, autoescaped like the
call's result was.  Calls with values, ``ngettext`` and every other expression stay
calls.  The environment must only render pages in its own language (``lang`` in the
context); :func:`waystation.site.render.gettext` gives the same text at run time.
"""

from __future__ import annotations

from collections.abc import Iterator

import jinja2.ext
from jinja2.lexer import Token, TokenStream

from waystation.site import i18n

#: The token types of ``_ ( "literal" )``, after the name.
_CALL = ("lparen", "string", "rparen")


class ConstantMessages(jinja2.ext.Extension):
    """Translates ``_("literal")`` at compile time into ``environment.messages_lang``."""

    def __init__(self, environment: jinja2.Environment):
        super().__init__(environment)
        environment.extend(messages_lang=None)

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        lang = self.environment.messages_lang  # type: ignore[attr-defined]
        if lang is None:
            yield from stream
            return
        translate = i18n.gettext_for(lang)
        tokens = list(stream)
        index = 0
        while index < len(tokens):
            token = tokens[index]
            call = tokens[index + 1 : index + 4]
            if (
                token.type == "name"
                and token.value == "_"
                and tuple(t.type for t in call) == _CALL
                and (index == 0 or tokens[index - 1].type != "dot")
            ):
                yield Token(token.lineno, "string", translate(call[1].value))
                index += 4
                continue
            yield token
            index += 1
