"""What several commands share: finding the repository, parsing dates."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, timezone
from pathlib import Path

from masthead.domain.problems import UsageError
from masthead.paths import find_root


def repo_root(args: argparse.Namespace) -> Path:
    return find_root(args.root or ".")


def parse_day(text: str) -> date:
    """`--today 2026-11-22` as a date, with a message that shows the form."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; write it as 2026-11-22") from None


def parse_moment(text: str) -> datetime:
    """`--now 2026-11-22T09:00+01:00` (or a plain date, meaning the end of that day in UTC)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date-time; write 2026-11-22T09:00+01:00") from None
    if len(text) == 10:
        moment = moment.replace(hour=23, minute=59, second=59)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def need(condition: bool, message: str) -> None:
    if not condition:
        raise UsageError(message)


def write_output(output: Path | None, text: str) -> None:
    """`text` into the file `--output` names (its folder made), or to standard output."""
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
