"""What the importers of site folders (Hugo, Zola, Jekyll, Pelican, Eleventy) share: reading
config files safely, walking Markdown files, and turning one file into a draft."""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator

from masthead.sources.frontmatter import load_yaml

from . import attributes
from .body import Context, escape_label, outside_code
from .dates import parse_date
from .files import Resolver, add_file, take_files
from .frontmatter import Head, split
from .html_body import attribute
from .model import Draft
from .report import Report

MARKDOWN = (".md", ".markdown", ".mdown", ".mkd", ".mkdn")
SKIP_DIRS = {"node_modules", ".git", "_site", "public", "output", "site", ".cache", "vendor"}


def read_config(path: Path, report: Report, top: Path) -> dict[str, Any]:
    """A TOML, YAML or JSON settings file as a mapping ({} when absent or broken, reported)."""
    if not path.is_file():
        return {}
    rel = path.relative_to(top).as_posix()
    text = path.read_text(encoding="utf-8", errors="replace")
    data: Any
    try:
        if path.suffix == ".toml":
            data = tomllib.loads(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            data, problems = load_yaml(rel, text)
            if problems:
                report.missed(rel, problems[0].line, "settings", problems[0].message)
                return {}
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        report.missed(rel, 1, "settings", f"cannot be read: {exc}")
        return {}
    return data if isinstance(data, dict) else {}


def first_config(top: Path, names: list[str], report: Report) -> dict[str, Any]:
    for name in names:
        if (top / name).is_file():
            return read_config(top / name, report, top)
    return {}


def markdown_files(base: Path, skip: Callable[[Path], bool] = lambda p: False) -> Iterator[Path]:
    """Every Markdown file below `base`, in a stable order, without following symlinks out."""
    for folder, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            path = Path(folder) / name
            if path.suffix.lower() in MARKDOWN and not path.is_symlink() and not skip(path):
                yield path


def report_unread(base: Path, suffixes: tuple[str, ...], top: Path, report: Report, what: str) -> None:
    """Content files in formats the importer does not read, each listed in the report."""
    for folder, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            if name.lower().endswith(suffixes) and not name.startswith("_index"):
                rel = (Path(folder) / name).relative_to(top).as_posix()
                report.missed(rel, 1, what, "this format is not read; convert it to Markdown and import again")


def get(data: dict[str, Any], *names: str, default: Any = None) -> Any:
    """The first of `names` present in `data` (keys compared in lower case)."""
    lowered = {str(k).lower(): v for k, v in data.items()}
    for name in names:
        value: Any = lowered
        for part in name.lower().split("."):
            value = value.get(part) if isinstance(value, dict) else None
            if isinstance(value, dict):
                value = {str(k).lower(): v for k, v in value.items()}
        if value is not None and value != "":
            return value
    return default


def as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v is not None and str(v).strip()]
    return [str(value)]


@dataclass
class Source:
    """One Markdown file being read: where it is, its fields and body, and the report."""

    top: Path
    path: Path
    report: Report
    head: Head = field(init=False)

    @property
    def rel(self) -> str:
        return self.path.relative_to(self.top).as_posix()

    def read(self, pelican: bool = False) -> bool:
        """Parse the file; False (reported) when it cannot be read."""
        try:
            text = self.path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            self.report.missed(self.rel, 1, "file", f"not UTF-8 text ({exc.reason}); save it as UTF-8 and import again")
            return False
        except OSError as exc:
            self.report.missed(self.rel, 1, "file", f"cannot be read ({exc.strerror})")
            return False
        self.head = split(self.rel, text, pelican=pelican)
        if self.head.error:
            self.report.missed(self.rel, self.head.error_line, "front matter",
                               self.head.error + "; the file was not imported: fix it and import again")
            return False
        return True

    def field(self, *names: str, default: Any = None) -> Any:
        return get(self.head.data, *names, default=default)

    def date(self, *names: str) -> datetime | None:
        for name in names:
            raw = self.field(name)
            if raw is None:
                continue
            when = parse_date(raw)
            if when is None:
                self.report.missed(self.rel, self.head.lines.get(name, 1), name, f"'{raw}' is not a date")
            return when
        return None

    def context(self, params: dict[str, Any] | None = None, find: Callable[[str], str | None] | None = None) -> Context:
        return Context(self.rel, self.head.body_line, self.report, params or {}, find or (lambda r: None),
                       self.head.body)

    def mtime(self) -> datetime:
        """The file's modification time (a guess, for sites that date stories that way)."""
        return datetime.fromtimestamp(int(self.path.stat().st_mtime)).replace(microsecond=0)


LONE_IMG = re.compile(r"^[ ]{0,3}(?:<p>\s*)?(<img\b[^>]*>)\s*(?:</p>)?[ \t]*$", re.M | re.I)


def finish_body(body: str, draft: Draft, ctx: Context, resolve: Resolver) -> str:
    """The steps every Markdown source shares: attribute syntax, `<img>` alone on its line as a
    Markdown image (which the build checks and copies), then the files the body uses."""
    def lone(m: re.Match[str]) -> str:
        tag = m.group(1)
        ctx.converted(prose_now[0], m.start(), "<img>", "a Markdown image")
        title = attribute(tag, "title")
        return f"![{escape_label(attribute(tag, 'alt'))}](<{attribute(tag, 'src')}>" + (
            f' "{title}")' if title and '"' not in title else ")")

    prose_now = [""]

    def images(prose: str) -> str:
        prose_now[0] = prose
        return LONE_IMG.sub(lone, prose) if "<img" in prose.lower() else prose

    return take_files(outside_code(attributes.convert(body, ctx), images), draft, resolve, ctx)


def take_cover(value: Any, draft: Draft, resolve: Resolver, report: Report, source: str) -> None:
    """A cover image named in the front matter: a file beside the story, or kept as a URL."""
    if isinstance(value, dict):
        draft.cover_alt = str(value.get("alt") or value.get("caption") or "")
        value = value.get("image") or value.get("src") or value.get("url")
    if isinstance(value, list):
        value = value[0] if value else None
    if not value:
        return
    url = str(value)
    if url.startswith("https://"):
        draft.cover = url
        return
    found = resolve(url)
    if found is None or not found.is_file():
        report.missed(source, 1, "cover", f"'{url}' is not in the old site; left out")
        return
    draft.cover = add_file(draft, found)
