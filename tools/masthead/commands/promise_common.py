"""What the promise commands (topic, promise, remind, stats) share: the magazine they work on,
its reminder windows, the day they act as of, and how days are written on the command line."""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from masthead.domain.magazine import Magazine
from masthead.domain.problems import ContentError, Severity
from masthead.domain.promises import Windows
from masthead.sources.magazine import load_magazine
from masthead.sources.promises import load_windows

from .common import parse_day, repo_root

DAYS_RE = re.compile(r"^(\d+)\s*([dw]?)$")


def parse_days(text: str) -> int:
    """`7d`, `2w` or `7` as a number of days."""
    m = DAYS_RE.match(text.strip())
    if not m:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of days; write 7d or 2w")
    return int(m.group(1)) * (7 if m.group(2) == "w" else 1)


def due_on(text: str, today: date) -> date:
    """A due date written as a day (2026-12-01) or as days from today (14d, 2w)."""
    try:
        return today + timedelta(days=parse_days(text))
    except argparse.ArgumentTypeError:
        try:
            return parse_day(text)
        except argparse.ArgumentTypeError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a due date; write 2026-12-01 or 14d") from None


@dataclass
class PromiseDesk:
    """What every promise command works on: the magazine, its windows and its day."""

    root: Path
    magazine: Magazine
    windows: Windows
    today: date


def open_desk(args: argparse.Namespace) -> PromiseDesk:
    """Load the magazine; refuse to work on one whose settings cannot be read."""
    root = repo_root(args)
    magazine, problems = load_magazine(root)
    if magazine is None:
        raise ContentError([p for p in problems if p.severity is Severity.ERROR])
    today = getattr(args, "today", None) or datetime.now(magazine.settings.timezone).date()
    return PromiseDesk(root, magazine, load_windows(root), today)


def today_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--today", type=parse_day, metavar="DATE",
                   help="the day to act as of (default: today in the site's time zone)")
