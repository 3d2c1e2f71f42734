"""Opening hours as NGO staff type them (forms, `waystation new`, imports)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waystation.records.hours_text import (
    DAYS,
    format_hours,
    parse_hours_text,
)
from waystation.records.problems import Severity

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


@pytest.mark.parametrize(
    ("text", "days", "opens", "closes"),
    [
        ("M-F 9am-5pm", WEEKDAYS, "09:00", "17:00"),
        ("Mon-Fri 9am-5pm", WEEKDAYS, "09:00", "17:00"),
        ("Monday to Friday, 9 a.m. to 5 p.m.", WEEKDAYS, "09:00", "17:00"),
        ("Mon–Fri 09:00–17:00", WEEKDAYS, "09:00", "17:00"),
        ("Weekdays 8:30-16:30", WEEKDAYS, "08:30", "16:30"),
        ("Mon-Fri 9-5pm", WEEKDAYS, "09:00", "17:00"),
        ("Mon-Fri 9am-5", WEEKDAYS, "09:00", "17:00"),
        ("Sat noon-5", ["sat"], "12:00", "17:00"),
        ("Sun 9 to noon", ["sun"], "09:00", "12:00"),
        ("Mon, Wed & Fri 10am to 2pm", ["mon", "wed", "fri"], "10:00", "14:00"),
        ("Tues/Thurs 1pm-7pm", ["tue", "thu"], "13:00", "19:00"),
        ("lunes a viernes de 9 a 17", WEEKDAYS, "09:00", "17:00"),
        ("Lunes a viernes de 9 a 5 p.m.", WEEKDAYS, "09:00", "17:00"),
        ("L-V 9:00 a 17:00", WEEKDAYS, "09:00", "17:00"),
        ("martes y jueves de 9 a 13 h", ["tue", "thu"], "09:00", "13:00"),
        ("sábado de 10 a 14", ["sat"], "10:00", "14:00"),
        ("Sáb. y dom. 10:00 - 14:00", ["sat", "sun"], "10:00", "14:00"),
        ("Daily 7am-7pm", list(DAYS), "07:00", "19:00"),
        ("todos los días de 8 a 20", list(DAYS), "08:00", "20:00"),
    ],
)
def test_what_people_write_becomes_structured_hours(text, days, opens, closes):
    result = parse_hours_text(text)
    assert result.problems == []
    assert result.hours == [{"days": days, "opens": opens, "closes": closes}]


def test_the_issue_examples_that_used_to_become_overnight_are_errors_with_the_likely_fix():
    for text, fix in [
        ("Mon-Fri 9-5", "09:00–17:00"),
        ("Mon-Fri 8:30-4:30", "08:30–16:30"),
        ("Sat 10-2", "10:00–14:00"),
        ("Mon-Fri 9 to 5", "09:00–17:00"),
    ]:
        result = parse_hours_text(text)
        assert result.hours is None, text
        (problem,) = result.problems
        assert problem.severity is Severity.ERROR
        assert f"did you mean {fix}?" in problem.message
        assert text in problem.message
        assert result.notes == [text]  # nothing typed is lost


def test_a_true_overnight_must_be_said_and_then_is_one():
    for text in ("Fri, Sat 9pm-7am", "Fri-Sat 21:00-07:00", "Fri, Sat 9-7 overnight"):
        result = parse_hours_text(text)
        assert result.problems == [], text
        assert result.hours == [
            {"days": ["fri", "sat"], "opens": "21:00" if "9-7" not in text else "09:00",
             "closes": "07:00", "overnight": True}
        ]  # fmt: skip


def test_24_7_and_several_lines_and_notes():
    assert parse_hours_text("24/7").hours == "24/7"
    assert parse_hours_text("Open 24 hours").hours == "24/7"
    assert parse_hours_text("24 horas").hours == "24/7"
    result = parse_hours_text(
        "Mon-Fri 9am-12pm, 1pm-5pm\nSat 10am-2pm\n\nClosed on federal holidays.\n"
    )
    assert result.hours == [
        {"days": WEEKDAYS, "opens": "09:00", "closes": "12:00"},
        {"days": WEEKDAYS, "opens": "13:00", "closes": "17:00"},
        {"days": ["sat"], "opens": "10:00", "closes": "14:00"},
    ]
    assert result.notes == ["Closed on federal holidays."]
    (warning,) = result.problems
    assert warning.severity is Severity.WARNING
    assert warning.line == 3  # the line as counted in the answer, blank line included
    assert "'Closed on federal holidays.'" in warning.message
    assert "hours_notes" in warning.message


def test_times_without_days_say_to_write_the_days():
    (problem,) = parse_hours_text("9am-5pm").problems
    assert "write the days first" in problem.message


# -- round trips ---------------------------------------------------------------------------

_days = st.sets(st.sampled_from(DAYS), min_size=1).map(lambda s: sorted(s, key=DAYS.index))


@st.composite
def _slot(draw):
    opens = draw(st.integers(0, 23 * 60 + 59))
    closes = draw(st.integers(0, 23 * 60 + 59).filter(lambda c: c != opens))
    slot = {
        "days": draw(_days),
        "opens": f"{opens // 60:02d}:{opens % 60:02d}",
        "closes": f"{closes // 60:02d}:{closes % 60:02d}",
    }
    if closes < opens:
        slot["overnight"] = True
    return slot


@settings(max_examples=60, deadline=None)
@given(st.lists(_slot(), min_size=1, max_size=4, unique_by=lambda s: str(s)))
def test_written_hours_read_back_as_written(slots):
    text = format_hours(slots)
    result = parse_hours_text(text)
    assert result.problems == []
    assert result.hours == slots


_EN = {"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday",
       "fri": "Friday", "sat": "Saturday", "sun": "Sunday"}  # fmt: skip
_ES = {"mon": "lunes", "tue": "martes", "wed": "miércoles", "thu": "jueves",
       "fri": "viernes", "sat": "sábado", "sun": "domingo"}  # fmt: skip


def _twelve(minutes: int, style: str) -> str:
    hour, minute = divmod(minutes, 60)
    suffix = {"am": ("am", "pm"), "a.m.": (" a.m.", " p.m."), "AM": (" AM", " PM")}[style]
    shown = hour % 12 or 12
    text = f"{shown}:{minute:02d}" if minute else str(shown)
    return text + suffix[hour >= 12]


@settings(max_examples=60, deadline=None)
@given(
    days=_days,
    opens=st.integers(0, 23 * 60 + 45).map(lambda m: m - m % 15),
    length=st.integers(1, 16).map(lambda h: h * 30),
    style=st.sampled_from(["am", "a.m.", "AM"]),
    language=st.sampled_from(["en", "es"]),
)
def test_am_pm_in_english_or_spanish_reads_as_the_same_hours(days, opens, length, style, language):
    closes = (opens + length) % (24 * 60)
    names = _EN if language == "en" else _ES
    joiner = ", " if language == "en" else " y "
    day_text = joiner.join(names[d] for d in days)
    if language == "en":
        text = f"{day_text} {_twelve(opens, style)} to {_twelve(closes, style)}"
    else:
        text = f"{day_text} de {_twelve(opens, style)} a {_twelve(closes, style)}"
    result = parse_hours_text(text)
    assert result.problems == [], text
    expected = {"days": days, "opens": f"{opens // 60:02d}:{opens % 60:02d}",
                "closes": f"{closes // 60:02d}:{closes % 60:02d}"}  # fmt: skip
    if closes < opens:
        expected["overnight"] = True
    assert result.hours == [expected], text


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=80))
def test_any_text_gives_hours_or_notes_and_never_loses_a_line(text):
    result = parse_hours_text(text)
    kept = set(result.notes)
    for problem in result.problems:
        assert problem.text in kept or "24/7" in problem.message
    if result.hours not in (None, "24/7"):
        for slot in result.hours:
            assert slot["days"] and set(slot["days"]) <= set(DAYS)
            assert slot["opens"] != slot["closes"]
            assert (slot["closes"] < slot["opens"]) == bool(slot.get("overnight"))


_TOKENS = ["Mon", "Tues", "fri", "M", "F", "L", "V", "sábado", "weekdays", "-", "–", "to", "a",
           "de", "y", "&", ",", ";", ":", "9", "12", "17", "0", "24", "9:30", "7.15", "am",
           "p.m.", "noon", "midnight", "overnight", "closed", "24/7", "h", " "]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=12).map(" ".join))
def test_hours_shaped_nonsense_never_breaks_the_parser(text):
    result = parse_hours_text(text)  # never raises
    if isinstance(result.hours, list):
        for slot in result.hours:
            assert set(slot["days"]) <= set(DAYS) and slot["days"]
            assert (slot["closes"] < slot["opens"]) == bool(slot.get("overnight"))
