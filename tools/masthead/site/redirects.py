"""Old addresses kept working: `site_config/redirects.yml` (written by `masthead import`, kept
by the editors) becomes one small page per old address, which sends readers to the story's
new address (`<meta http-equiv="refresh">`) and tells search engines where it lives now
(`<link rel="canonical">`), plus `_redirects`, the same table for hosts that read one
(Netlify, Cloudflare Pages). See docs/import.md.

Why a settings file and not a front-matter field: old addresses also exist for pages that are
not stories (feeds, tag lists, `?p=` links), the table is one reviewed diff at migration time,
and stories' records stay as they are.
"""

from __future__ import annotations

import os
import re
from html import escape

from masthead.domain import urls
from masthead.domain.problems import Problem
from masthead.sources.frontmatter import parse_yaml_file

from .plan import Job, Planner, key_of

SOURCE = "site_config/redirects.yml"
OLD_PATH = re.compile(r"^/(?:[^/\s\\?#\x00-\x1f]+/)*[^/\s\\?#\x00-\x1f]*$")


def plan_redirects(plan: Planner) -> None:
    """A redirect page for every old address in site_config/redirects.yml, and `_redirects`."""
    path = os.path.join(plan.root, SOURCE)
    if not os.path.isfile(path):
        return
    with open(path, "rb") as fh:
        parsed = parse_yaml_file(SOURCE, fh.read())
    plan.problems.extend(parsed.problems)
    table = (parsed.data or {}).get("redirects") or {}
    if not isinstance(table, dict):
        plan.problems.append(Problem(SOURCE, parsed.lines.get("redirects", 1), "redirects", "not a mapping",
                                     expected="lines like '/2020/12/02/old/: city/new.md'", code="redirects"))
        return
    lines: list[str] = []
    for old, target in sorted(table.items(), key=lambda kv: str(kv[0])):
        new = _target(plan, str(old), str(target))
        if new is None:
            continue
        lines.append(f"{old} /{new} 301")
        out = _output_path(str(old))
        page = redirect_page(urls.absolute(plan.settings.url, new), "../" * out.count("/") + new)
        plan.add(Job(out, key_of("redirect", out, page), page.encode), SOURCE)
    if lines:
        text = "\n".join(lines) + "\n"
        plan.add(Job("_redirects", key_of("redirects", text), text.encode), SOURCE)


def _target(plan: Planner, old: str, target: str) -> str | None:
    """The new site path for one entry; a mistake is reported, an unpublished story skipped."""
    def problem(message: str, fix: str) -> None:
        plan.problems.append(Problem(SOURCE, 0, "redirects", f"'{old}': {message}", fix=fix, code="redirects"))

    if not OLD_PATH.match(old) or any(part in (".", "..") for part in old.split("/")):
        problem("not a site path", "write the old address as a path starting with '/', e.g. /2020/12/02/slug/")
        return None
    if target.endswith(".md"):
        story = target.removeprefix("content/")
        if story not in plan.views.by_content:
            problem(f"no story at content/{story}", "correct the path, relative to content/")
            return None
        return plan.views.story_url(story)  # None while the story is not published
    if OLD_PATH.match(target) and ".." not in target.split("/"):
        return target.lstrip("/")
    problem(f"'{target}' is neither a story nor a site path", "write content/<section>/<file>.md or /path/")
    return None


def _output_path(old: str) -> str:
    """`/2020/12/02/x/` -> `2020/12/02/x/index.html`; `/x.html` stays a file."""
    rel = old.lstrip("/")
    return urls.output_file(rel if rel == "" or rel.endswith("/") or "." in rel.rsplit("/", 1)[-1] else rel + "/")


def redirect_page(absolute: str, relative: str) -> str:
    """A page that sends the reader on at once, with a link for browsers that do not."""
    href = escape(relative, quote=True)
    return ('<!doctype html>\n<html><head><meta charset="utf-8">\n'
            f'<title>Moved</title>\n<link rel="canonical" href="{escape(absolute, quote=True)}">\n'
            '<meta name="robots" content="noindex">\n'
            f'<meta http-equiv="refresh" content="0; url={href}">\n</head>\n'
            f'<body><p>This page has moved to <a href="{href}">{escape(absolute)}</a>.</p></body></html>\n')
