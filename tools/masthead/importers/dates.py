"""Dates as generators write them: front-matter values (YAML text, TOML date-times), file names
(`2020-12-2-title.md`) and paths (`2020/12/02/slug/`), with or without times and zones."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Any

FILE_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[-_T ](.*))?$")
PATH_DATE = re.compile(r"(?:^|/)(\d{4})/(\d{1,2})/(\d{1,2})(?:/|$)")
WORDS = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"  # the day
    r"(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"  # its time
    r"\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2}|[+-]\d{2})?$", re.I)  # its zone


def parse_date(value: Any) -> datetime | None:
    """A front-matter date in any common spelling, or None when it is not one."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if not isinstance(value, str):
        return None
    m = WORDS.match(value.strip())
    if not m:
        return None
    y, mo, d, h, mi, s, zone = m.groups()
    try:
        moment = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
    except ValueError:
        return None
    return moment.replace(tzinfo=_zone(zone)) if zone else moment


def _zone(text: str) -> timezone:
    if text.upper() in ("Z", "UTC", "GMT"):
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def from_file_name(stem: str) -> tuple[datetime | None, str]:
    """`2020-12-2-hello-world` -> (2020-12-02, `hello-world`); other names -> (None, name)."""
    m = FILE_DATE.match(stem)
    if not m:
        return None, stem
    try:
        when = datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None, stem
    return when, (m.group(4) or "").strip("-_ ")


def from_path(path: str) -> datetime | None:
    """`posts/2020/12/02/slug/index.md` -> 2020-12-02."""
    m = PATH_DATE.search(path)
    if not m:
        return None
    try:
        return datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def as_front_matter(moment: datetime) -> str:
    """How masthead's front matter writes it: `2020-12-02 09:30`, with its offset if it had one."""
    text = moment.strftime("%Y-%m-%d %H:%M") if not moment.second else moment.strftime("%Y-%m-%d %H:%M:%S")
    if moment.tzinfo is not None:
        offset = moment.utcoffset() or timedelta(0)
        minutes = int(offset.total_seconds() // 60)
        sign = "-" if minutes < 0 else "+"
        text += f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return text
