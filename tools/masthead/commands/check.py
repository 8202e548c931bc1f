"""`masthead check`: validate the whole magazine and report every problem at once."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import nullcontext
from typing import Any, TextIO

from masthead.domain.problems import Problem, Severity, has_errors

from .common import repo_root

HELP = """\
Checks site_config/, every contributor and every story, and the references between them
(unknown author, duplicate address, missing image or alt text, translation targets, dates).
Every problem is reported at once, sorted by file and line, with the fix when one is known.

Exit status: 0 when there are no errors, 1 when there are (with --strict, warnings count).

Examples:
  masthead check
  masthead check --strict --format github    # in CI: annotations on the offending lines
  masthead check --format json | jq .        # for tools
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("check", help="check every story, contributor and setting", description=HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--strict", action="store_true", help="treat warnings as errors (what CI uses)")
    p.add_argument("--format", choices=("text", "github", "json"), default="text",
                   help="text for people, github for workflow annotations, json for tools")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from masthead.sources.magazine import load_magazine  # heavy: imported only when checking

    root = repo_root(args)
    with parsing_pool() as pool:
        magazine, problems = load_magazine(root, executor=pool)
    if magazine is not None:  # newsletter editions (docs/reach.md)
        from masthead.sources.newsletter import load_editions

        problems = problems + load_editions(root, magazine.settings)[1]
        from masthead.sources.events import load_events  # events (docs/reach.md)

        problems = problems + load_events(root, magazine.settings, magazine.people,
                                          [s.content_path for s in magazine.stories])[1]
    print_problems(problems, args.format, args.strict)
    return 1 if has_errors(problems, args.strict) else 0


def parsing_pool() -> Any:
    """Both cores for parsing many stories (used only when there are hundreds to parse)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from masthead.sources.load import workers_available

    workers = workers_available()
    if workers < 2:
        return nullcontext(None)
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))


def print_problems(problems: list[Problem], fmt: str, strict: bool = False, out: TextIO | None = None,
                   summary: bool = True) -> None:
    out = out or sys.stdout
    if fmt == "json":
        json.dump({"problems": [as_json(p) for p in problems],
                   "errors": sum(p.severity is Severity.ERROR for p in problems),
                   "warnings": sum(p.severity is Severity.WARNING for p in problems)},
                  out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    for p in problems:
        out.write((github_line(p, strict) if fmt == "github" else p.text()) + "\n")
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    if fmt == "text" and summary:
        verdict = "no problems" if not problems else f"{errors} error(s), {warnings} warning(s)"
        out.write(f"masthead check: {verdict}\n")


def as_json(p: Problem) -> dict[str, object]:
    return {"path": p.path, "line": p.line, "field": p.field, "severity": p.severity.value,
            "message": p.message, "expected": p.expected, "found": p.found, "fix": p.fix, "code": p.code}


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_line(p: Problem, strict: bool) -> str:
    """A workflow command: `::error file=...,line=...,title=...::message`."""
    level = "error" if p.severity is Severity.ERROR or strict else "warning"
    props = f"file={p.path}" + (f",line={p.line}" if p.line else "") + f",title={_escape(p.field or p.code or 'masthead')}"
    return f"::{level} {props.replace('::', ':')}::{_escape(p.detail())}"
