"""settings.check: every wrong setting reported, with how to fix it, never raised."""

from __future__ import annotations

import pytest

from waystation import settings


def _checked(**values):
    return settings.check({**settings.resolve({}), **values})


@pytest.mark.parametrize("value", [0, 5000, 10_000])
def test_a_pagefind_part_size_or_no_limit_is_accepted(value):
    assert _checked(PAGEFIND_PART_PAGES=value) == ([], [])


def test_a_negative_pagefind_part_size_is_an_error_saying_what_to_write():
    errors, _ = _checked(PAGEFIND_PART_PAGES=-5)
    assert errors == ["PAGEFIND_PART_PAGES: a number of pages (0 for no limit), e.g. 2500"]


def test_every_wrong_setting_is_reported_at_once():
    errors, _ = _checked(PAGEFIND_PART_PAGES="many", BUILD_WORKERS=True, LANGUAGES=[])
    assert [e.split(":")[0] for e in errors] == [
        "BUILD_WORKERS",
        "PAGEFIND_PART_PAGES",
        "LANGUAGES",
    ]
