"""Opening hours as people write them, read into the record format's ``hours``.

One parser for every place hours are typed by a person: the issue forms
(``waystation from-issue``), ``waystation new --hours`` and the HSDS import
(:func:`parse_hours_text` is the function to call).  It reads, in English and
Spanish:

- ``24/7``, ``24x7``, ``open 24 hours``, ``24 horas``;
- days: ``Mon``, ``Monday``, ``M-F``, ``Mon–Fri``, ``Mon, Wed & Fri``,
  ``weekdays``, ``daily``, ``lunes a viernes``, ``L-V``, ``sábado``;
- times: ``9``, ``9:30``, ``9.30``, ``9am``, ``9 p.m.``, ``17:00``, ``noon``,
  ``midnight``, ``mediodía``; ranges ``9-5``, ``9 to 5``, ``de 9 a 5``,
  ``9am until 5pm``; several ranges after one set of days (``Mon-Fri 9-12, 13-17``)
  and several day groups on one line (``Mon-Fri 9am-5pm; Sat 10am-2pm``).

What it will not guess: a closing time earlier than the opening time, with no
am/pm and no 24-hour time after 12 (``9-5``, ``8:30-4:30``), is an error whose
message suggests the likely reading (``did you mean 09:00–17:00?``).  A true
overnight range must be said: with am/pm (``9pm-7am``), a 24-hour time
(``22:00-06:00``) or the word ``overnight`` / ``toda la noche``.  A line that is
not hours (``Closed on federal holidays``) becomes a note, with a warning
naming the line, so nothing typed is lost and nothing is silently dropped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from waystation.records.problems import Severity

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALWAYS_OPEN = "24/7"

_DAY_WORDS: dict[str, tuple[str, ...]] = {
    "mon": ("mon", "monday", "mo", "m", "lun", "lunes", "lu", "l"),
    "tue": ("tue", "tues", "tuesday", "tu", "mar", "martes", "ma"),
    "wed": ("wed", "weds", "wednesday", "we", "w", "mie", "miercoles", "mi", "x"),
    "thu": ("thu", "thur", "thurs", "thursday", "th", "jue", "jueves", "ju", "j"),
    "fri": ("fri", "friday", "fr", "f", "vie", "viernes", "vi", "v"),
    "sat": ("sat", "saturday", "sa", "sab", "sabado"),
    "sun": ("sun", "sunday", "su", "dom", "domingo", "do", "d"),
}
_DAY = {word: day for day, words in _DAY_WORDS.items() for word in words}
_DAY_SETS: dict[str, tuple[str, ...]] = {
    "weekdays": DAYS[:5],
    "weekday": DAYS[:5],
    "weekends": DAYS[5:],
    "weekend": DAYS[5:],
    "daily": DAYS,
    "every day": DAYS,
    "everyday": DAYS,
    "7 days": DAYS,
    "7 days a week": DAYS,
    "all week": DAYS,
    "entre semana": DAYS[:5],
    "dias de semana": DAYS[:5],
    "dias laborables": DAYS[:5],
    "fin de semana": DAYS[5:],
    "fines de semana": DAYS[5:],
    "todos los dias": DAYS,
    "diario": DAYS,
    "diariamente": DAYS,
}
_ALWAYS = re.compile(
    r"^(?:open\s+)?(?:24\s*/\s*7|24\s*x\s*7|24\s*hours?(?:\s+a\s+day)?(?:,?\s*7\s*days(?:\s+a\s+week)?)?"
    r"|(?:abierto\s+)?(?:las\s+)?24\s*horas(?:\s+al\s+dia)?(?:,?\s*(?:los\s+)?7\s*dias(?:\s+de\s+la\s+semana)?)?"
    r"|around the clock)$"
)
_OVERNIGHT = re.compile(
    r"\(?\b(?:overnight|next day|toda la noche|del dia siguiente|dia siguiente)\b\)?"
)
_TIME = (
    r"(?:(?P<{n}h>\d{{1,2}})(?:[:.h](?P<{n}m>\d{{2}}))?\s*(?P<{n}p>a\.?\s?m\.?|p\.?\s?m\.?|a|p)?"
    r"(?:\s*(?:h|hs|hrs)\.?)?(?![a-z0-9])"
    r"|(?P<{n}w>noon|midday|midnight|mediodia|medianoche)(?![a-z]))"
)
_RANGE = re.compile(
    r"(?:\b(?:from|de|desde)\s+)?"
    + _TIME.format(n="o")
    + r"\s*(?:-|to|until|till|through|thru|a|al|hasta)\s*(?:las\s+)?"
    + _TIME.format(n="c")
)
_CLOSED = re.compile(r"^(?P<days>.*?)[\s:,-]*\b(?:closed|cerrado|cerrados)\b\.?$")


@dataclass(frozen=True)
class HoursProblem:
    """Something about one line of hours: ``line`` is its index (0-based) in the text."""

    line: int
    text: str  # the line as written
    message: str
    severity: Severity = Severity.ERROR


@dataclass
class ParsedHours:
    """What a text says: ``hours`` (``"24/7"``, a list of slots, or None), notes, problems."""

    hours: str | list[dict[str, Any]] | None = None
    notes: list[str] = field(default_factory=list)
    problems: list[HoursProblem] = field(default_factory=list)

    @property
    def notes_text(self) -> str | None:
        return "; ".join(self.notes) or None


class _NotHours(Exception):
    """A line (or part) that is not days and times; the message says why."""


def _fold(text: str) -> str:
    """Lowercase, no accents, one kind of dash, single spaces."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    return " ".join(text.split())


def is_always_open(text: str) -> bool:
    """Whether ``text`` says open all the time (``24/7``, ``24 hours``, ``24 horas`` …)."""
    return bool(_ALWAYS.match(_fold(text).strip(" .")))


def _days(text: str) -> list[str]:
    """The days a day expression names (``M-F``, ``lunes a viernes``, ``Mon, Wed``)."""
    text = text.strip(" ,:;.-")
    text = re.sub(r"^(?:open|abierto|los|el)\s+|\s+(?:from|de|desde)$", "", text).strip(" ,:")
    if not text:
        return []
    if text in _DAY_SETS:
        return list(_DAY_SETS[text])
    days: list[str] = []
    for group in re.split(r"\s*(?:,|&|/|\+|\band\b|\by\b|\be\b)\s*", text):
        group = group.strip(" .")
        if not group:
            continue
        if group in _DAY_SETS:
            days.extend(_DAY_SETS[group])
            continue
        ends = [
            e.strip(" .")
            for e in re.split(r"\s*(?:-|\bto\b|\bthrough\b|\bthru\b|\ba\b|\bal\b)\s*", group)
        ]
        ends = [e for e in ends if e]
        unknown = [e for e in ends if e not in _DAY]
        if unknown or not 1 <= len(ends) <= 2:
            raise _NotHours(f"'{group}' is not a day or a range of days")
        if len(ends) == 1:
            days.append(_DAY[ends[0]])
            continue
        start, stop = DAYS.index(_DAY[ends[0]]), DAYS.index(_DAY[ends[1]])
        span = range(start, stop + 1) if start <= stop else [*range(start, 7), *range(stop + 1)]
        days.extend(DAYS[i] for i in span)
    return days


@dataclass(frozen=True)
class _Time:
    hour: int
    minute: int
    meridiem: str | None  # "a", "p" or None
    word: str | None  # noon / midnight
    written: str

    def clock(self, meridiem: str | None = None) -> int:
        """Minutes after midnight, reading the hour with ``meridiem`` (or its own)."""
        if self.word:
            return 12 * 60 if self.word in ("noon", "midday", "mediodia") else 0
        m = self.meridiem or meridiem
        hour = self.hour
        if m == "a":
            hour = 0 if hour == 12 else hour
        elif m == "p":
            hour = hour if hour == 12 else hour + 12
        return (hour % 24) * 60 + self.minute

    @property
    def half_day(self) -> str | None:
        """``a`` or ``p`` when written (``9am``, ``noon``), else None."""
        if self.word:
            return "p" if self.word in ("noon", "midday", "mediodia") else None
        return self.meridiem

    @property
    def said(self) -> bool:
        """Whether the time leaves no doubt which half of the day it is in."""
        return bool(self.meridiem or self.word or self.twenty_four)

    @property
    def twenty_four(self) -> bool:
        """Written as a 24-hour time: an hour after 12, or a leading zero (``09:00``)."""
        return (
            not self.meridiem
            and not self.word
            and (self.hour > 12 or self.hour == 0 or self.written.startswith("0"))
        )


def _time(found: re.Match[str], n: str) -> _Time:
    word = found.group(f"{n}w")
    if word:
        return _Time(0, 0, None, word, word)
    hour_text = found.group(f"{n}h")
    hour, minute = int(hour_text), int(found.group(f"{n}m") or 0)
    meridiem = found.group(f"{n}p")
    meridiem = meridiem[0] if meridiem else None
    if meridiem and not 1 <= hour <= 12:
        raise _NotHours(f"'{found.group(0)}': {hour} {meridiem}m is not a time")
    if hour == 24 and minute == 0:
        hour = 0
    if hour > 23 or minute > 59:
        raise _NotHours(f"'{found.group(0)}': {hour}:{minute:02d} is not a time")
    return _Time(hour, minute, meridiem, None, hour_text)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _slot(found: re.Match[str], overnight_said: bool) -> tuple[str, str, bool]:
    """(opens, closes, overnight) of one time range, or :class:`_NotHours` /
    :class:`_Ambiguous` when it cannot be read without guessing."""
    opens, closes = _time(found, "o"), _time(found, "c")
    open_m, close_m = opens.half_day, closes.half_day
    if open_m and not closes.said:
        # "9am-5", "noon-5": the closing time shares the half of the day unless that
        # closes before opening.
        o, same = opens.clock(), closes.clock(open_m)
        c = same if same > o else closes.clock("p" if open_m == "a" else "a")
    elif close_m and not opens.said:
        # "9-5pm", "9-noon": the opening shares it unless that opens after closing.
        c, same = closes.clock(), opens.clock(close_m)
        o = same if same < c else opens.clock("p" if close_m == "a" else "a")
    else:
        o, c = opens.clock(), closes.clock()
    said = opens.said or closes.said
    if o == c:
        raise _NotHours(f"'{found.group(0)}' opens and closes at the same time")
    if c < o and not said and not overnight_said:
        raise _Ambiguous(o, c)
    return _hhmm(o), _hhmm(c), c < o


class _Ambiguous(Exception):
    def __init__(self, opens: int, closes: int) -> None:
        super().__init__()
        self.opens, self.closes = opens, closes

    def suggestion(self) -> str:
        later = self.closes + 12 * 60
        if self.closes < 12 * 60 and later > self.opens:
            return f"{_hhmm(self.opens)}–{_hhmm(later)}"
        return f"{_hhmm(self.opens)}–{_hhmm(self.closes)} (overnight)"


#: The longest line read as opening hours.  Real ones are short ("Mon-Fri 9am-5pm, Sat
#: 10am-2pm" is 28 characters); the patterns below backtrack on long runs of ':' or
#: spaces, so a longer line is kept as a note and never matched: reading an answer stays
#: linear in its length whatever anyone types.
MAX_LINE = 200


def parse_line(line: str) -> list[dict[str, Any]]:
    """The slots of one line (``Mon-Fri 9am-5pm, Sat 10-14``).

    Raises :class:`ValueError` with a message that says what to write instead.
    """
    if len(line) > MAX_LINE:
        raise ValueError(
            f"longer than {MAX_LINE} characters, so it was kept as a note: write each "
            "group of days on its own short line, like 'Mon-Fri 9am-5pm'"
        )
    folded = _fold(line).strip(" .")
    overnight_said = bool(_OVERNIGHT.search(folded))
    folded = _OVERNIGHT.sub(" ", folded).strip(" .,")
    if not re.search(r"\d|noon|midday|midnight|mediodia|medianoche", folded):
        raise ValueError("no opening and closing times")
    slots: list[dict[str, Any]] = []
    pending: list[str] = []
    current: list[str] = []
    position = 0
    try:
        for found in _RANGE.finditer(folded):
            before = folded[position : found.start()]
            position = found.end()
            days = _days(before) if before.strip(" ,;:-") else []
            if days:
                current = pending + days
                pending = []
            elif not current:
                raise _NotHours("no days are given: write the days first, e.g. 'Mon-Fri 9am-5pm'")
            opens, closes, overnight = _slot(found, overnight_said)
            slot: dict[str, Any] = {
                "days": sorted(set(current), key=DAYS.index),
                "opens": opens,
                "closes": closes,
            }
            if overnight:
                slot["overnight"] = True
            slots.append(slot)
        rest = folded[position:].strip(" ,;:.-")
        if rest:
            raise _NotHours(f"'{rest}' is not days and times")
    except _Ambiguous as ambiguous:
        raise ValueError(
            f"the closing time is earlier than the opening time: did you mean "
            f"{ambiguous.suggestion()}? Write am/pm ('9am-5pm') or 24-hour times "
            "('09:00-17:00'); for a place open overnight write e.g. '9pm-7am'"
        ) from None
    except _NotHours as error:
        raise ValueError(str(error)) from None
    if not slots:
        raise ValueError("no opening and closing times")
    return slots


def parse_hours_text(text: str) -> ParsedHours:
    """Read opening hours typed by a person, one line per group of days.

    ``24/7`` alone (on the first line) gives ``hours: "24/7"``.  Every other
    line is read with :func:`parse_line`; a line with times that cannot be read
    without guessing is an error (its text is kept in the notes); a line with
    no times at all is a note, with a warning naming it.
    """
    result = ParsedHours()
    lines = [(i, " ".join(line.split())) for i, line in enumerate(text.splitlines())]
    lines = [(i, line) for i, line in lines if line]
    slots: list[dict[str, Any]] = []
    for index, (number, line) in enumerate(lines):
        if is_always_open(line):
            if index == 0 and result.hours is None:
                result.hours = ALWAYS_OPEN
                continue
            result.problems.append(
                HoursProblem(number, line, "'24/7' goes alone on the first line of the hours")
            )
            continue
        short = len(line) <= MAX_LINE
        if short and _CLOSED.match(_fold(line).strip(" .")) and not re.search(r"\d", line):
            result.notes.append(line)  # "Sun closed", "Closed on holidays": a note, as meant
            continue
        try:
            slots.extend(parse_line(line))
        except ValueError as error:
            result.notes.append(line)
            has_times = bool(re.search(r"\d", line))
            result.problems.append(
                HoursProblem(
                    number,
                    line,
                    f"'{line}': {error}" if has_times else
                    f"'{line}' is not days and times, so it was kept as a note (hours_notes): "
                    "if it gives opening hours, write them like 'Mon-Fri 9am-5pm'",
                    Severity.ERROR if has_times else Severity.WARNING,
                )
            )  # fmt: skip
    if slots:
        if result.hours == ALWAYS_OPEN:
            result.problems.append(
                HoursProblem(
                    lines[0][0],
                    lines[0][1],
                    "'24/7' and opening times contradict each other: keep one",
                )  # fmt: skip
            )
        else:
            result.hours = _merge(slots)
    return result


def _merge(slots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Slots in the order written, without exact repeats."""
    seen: list[dict[str, Any]] = []
    for slot in slots:
        if slot not in seen:
            seen.append(slot)
    return seen


_SHORT = {d: d.capitalize() for d in DAYS}


def format_days(days: list[str]) -> str:
    """``Mon–Fri``, ``Mon, Wed, Fri``, ``Sat–Sun`` (runs of three or more as ranges)."""
    indexes = sorted({DAYS.index(d) for d in days})
    runs: list[list[int]] = []
    for i in indexes:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{_SHORT[DAYS[run[0]]]}-{_SHORT[DAYS[run[-1]]]}")
        else:
            parts.extend(_SHORT[DAYS[i]] for i in run)
    return ", ".join(parts)


def format_hours(hours: str | list[dict[str, Any]]) -> str:
    """Text that :func:`parse_hours_text` reads back as ``hours`` (one line per slot)."""
    if hours == ALWAYS_OPEN:
        return ALWAYS_OPEN
    lines = []
    for slot in hours:
        line = f"{format_days(slot['days'])} {slot['opens']}-{slot['closes']}"
        if slot.get("overnight"):
            line += " overnight"
        lines.append(line)
    return "\n".join(lines)
