"""`masthead pr-summary`: what a submission adds, as the Markdown of one pull-request comment or as JSON."""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from masthead.domain.review import MARKER, StorySummary, Summary
from masthead.editorial import summarise_ref, summarise_work_tree

from .common import parse_moment, repo_root, write_output

HELP = """\
Sums up the stories a branch or pull request adds or changes against BASE: their authors
(and whether it is their first piece), words, reading time, section, the promise each
delivers and whether that is on time, and the problems the check finds in those files.

Without --head it reads the work tree (what CI has checked out, e.g. a pull request's merge
commit); with --head it reads that branch or commit from Git, leaving the work tree alone.

Examples:
  masthead pr-summary --base origin/main                        # Markdown on stdout
  masthead pr-summary --base main --head submissions/2026-11-22-bread-a1b2
  masthead pr-summary --base origin/main --format json --output summary.json
"""

MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!@~])")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("pr-summary", help="sum up a submission against a base branch (Markdown or JSON)",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--base", required=True, metavar="REF", help="the branch the submission goes into, e.g. origin/main")
    p.add_argument("--head", metavar="REF", default=None,
                   help="the submission's branch or commit (default: the work tree as checked out)")
    p.add_argument("--format", choices=("markdown", "json"), default="markdown")
    p.add_argument("--output", metavar="FILE", type=Path, default=None, help="write here instead of stdout")
    p.add_argument("--now", type=parse_moment, default=None, metavar="DATETIME",
                   help="the moment promises and schedules are judged at (default: now)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = repo_root(args)
    now = args.now or datetime.now(timezone.utc)
    summary = summarise_ref(root, args.base, args.head, now) if args.head else summarise_work_tree(root, args.base, now)
    text = render_json(summary) if args.format == "json" else render_markdown(summary)
    write_output(args.output, text)
    return 0


def md(text: str) -> str:
    """Contributed text made inert in Markdown: no links, mentions, HTML or table breaks."""
    return MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def code(text: str) -> str:
    """A code span that contributed text cannot close early."""
    # GFM splits table cells on `|` before it reads code spans, so the pipe is escaped too.
    return "`" + " ".join(text.split()).replace("`", "'").replace("|", "\\|") + "`"


def _authors(story: StorySummary) -> str:
    parts = []
    for a in story.authors:
        note = " (first piece: welcome!)" if a.first_piece else ""
        parts.append(f"{md(a.name)} ({code(a.handle)}){note}")
    return ", ".join(parts)


def _when(story: StorySummary) -> str:
    if story.draft:
        return "draft: not published"
    day = story.date.strftime("%Y-%m-%d %H:%M")
    return f"scheduled: {day}" if story.scheduled else day


def _promise(story: StorySummary) -> str:
    if story.promise is None:
        return "none"
    return f"{code(story.promise.id)}: {md(story.promise.verdict)}"


def render_markdown(summary: Summary) -> str:
    """The pull-request comment; it starts with MARKER so a later run updates it in place."""
    verdict = ("passes" if summary.passed and not summary.warnings else
               f"passes with {summary.warnings} warning(s)" if summary.passed else
               f"fails: {summary.errors} error(s), {summary.warnings} warning(s)")
    out = [MARKER, "### masthead: submission summary", "", f"**Check:** {verdict}", ""]
    if summary.stories:
        out += ["| story | author(s) | words | reading time | section | date | promise |",
                "| --- | --- | ---: | ---: | --- | --- | --- |"]
        for s in summary.stories:
            kind = "new" if s.status == "A" else "changed"
            out.append(f"| {md(s.title)} ({kind}, {code(s.path)}) | {_authors(s)} | {s.words:,} | "
                       f"{s.minutes} min | {md(s.section)} | {_when(s)} | {_promise(s)} |")
        out.append("")
    else:
        out += ["No story is added or changed.", ""]
    if summary.removed:
        out += ["**Removes:** " + ", ".join(code(p) for p in summary.removed), ""]
    if summary.other_files:
        shown = ", ".join(code(p) for p in summary.other_files[:20])
        more = len(summary.other_files) - 20
        out += ["**Other files:** " + shown + (f" and {more} more" if more > 0 else ""), ""]
    if summary.problems:
        out += ["#### Problems found", ""]
        out += [f"- {code(p.location())} {p.severity.value}: {md(p.detail())}" for p in summary.problems[:50]]
        out.append("")
    if summary.problems_elsewhere:
        out += [f"{summary.problems_elsewhere} more problem(s) in files this submission does not touch.", ""]
    out.append("<sub>Written by `masthead pr-summary`; the workflow run links the preview site when it built.</sub>")
    return "\n".join(out) + "\n"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return getattr(value, "value", value)  # enums


def render_json(summary: Summary) -> str:
    data = _plain(asdict(summary))
    data["passed"] = summary.passed
    data["title"] = summary.title
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
