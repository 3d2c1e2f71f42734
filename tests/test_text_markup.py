"""Listing Markdown: the inline pass that skips plain text gives the same HTML."""

from __future__ import annotations

import random
from pathlib import Path

import markdown.inlinepatterns
import markdown.treeprocessors

from waystation.text import markup as text

ROOT = Path(__file__).resolve().parent.parent

ATOMS = [
    "word ", "Plain sentence. ", "Ends here.\n", "\n", "\n\n", "  \n", "   \n", "\t", "    ",
    "- ", "* ", "+ ", "1. ", "2) ", "# ", "## ", "> ", "---\n", "===\n", "*", "**", "_", "__",
    "`", "```\n", "\\", "\\*", "\\_", "!", "[", "]", "(", ")", "![i](x.png)", "[l](http://a.org)",
    "[r][1]", "\n[1]: http://b.org\n", "<", ">", "<http://e.org>", "<x@y.org>", "&", "&amp;",
    "&#x3c;", "&nbsp;", "<b>", "</b>", "<div>", "</div>\n", "<!-- c -->", '"', "'", "é ", "日本 ",
    "snake_case ", "2*3 ", "a_b_c ", "x  y",
]  # fmt: skip


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(ROOT.glob("providers/*.md"))]
    generator = random.Random(11)
    texts += ["".join(generator.choices(ATOMS, k=generator.randint(1, 30))) for _ in range(4000)]
    return texts


def test_skipping_plain_text_changes_no_html():
    skipping = text.make_converter()
    full = text.make_converter(skip_plain_text=False)
    assert skipping.treeprocessors["inline"].may_match is not None
    for source in _texts():
        assert skipping.reset().convert(source) == full.reset().convert(source), source


def test_plain_paragraphs_skip_the_pattern_loop_and_marked_up_ones_do_not(monkeypatch):
    seen: list[str] = []
    loop = markdown.treeprocessors.InlineProcessor._InlineProcessor__handleInline

    def counting(self, data, patternIndex=0):  # noqa: N803 - Python-Markdown's name
        seen.append(str(data))
        return loop(self, data, patternIndex)

    monkeypatch.setattr(
        markdown.treeprocessors.InlineProcessor, "_InlineProcessor__handleInline", counting
    )
    converter = text.make_converter()
    html = converter.convert("We listen first.\n\n- Housing\n- Legal aid\n\nCall *us* today.")
    assert html == (
        "<p>We listen first.</p>\n<ul>\n<li>Housing</li>\n<li>Legal aid</li>\n</ul>\n"
        "<p>Call <em>us</em> today.</p>"
    )
    assert seen and all("*" in data or data == "us" for data in seen), seen


def test_a_pattern_the_table_does_not_know_turns_the_skipping_off():
    converter = markdown.Markdown(extensions=["sane_lists"])
    assert text.PlainTextInline(converter).may_match is not None
    converter.inlinePatterns.register(
        markdown.inlinepatterns.SimpleTextInlineProcessor(r"(~~)"), "tilde", 5
    )
    inline = text.PlainTextInline(converter)
    assert inline.may_match is None
