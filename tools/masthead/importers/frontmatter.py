"""Front matter of every generator: YAML `---`, TOML `+++`, JSON `{...}` (Hugo) or `---json`
(Eleventy), and Pelican's fenceless `Key: value` header. YAML goes through the project's one
YAML module; TOML and JSON through the standard library."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from masthead.sources.frontmatter import load_yaml

PELICAN_KEY = re.compile(r"^ {0,3}([A-Za-z0-9_-]+):\s*(.*)$")  # Python-Markdown's meta-data keys


@dataclass
class Head:
    """A file's fields (keys as written), its body, and where the body starts."""

    data: dict[str, Any]
    body: str
    body_line: int
    kind: str  # yaml, toml, json, pelican, none
    lines: dict[str, int] = field(default_factory=dict)
    error: str = ""
    error_line: int = 1


def split(path: str, text: str, pelican: bool = False) -> Head:
    """The front matter and body of `text`, in whichever form it starts with."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    first = text.split("\n", 1)[0].strip()
    if first == "---json":
        return _json_fenced(text)
    if first == "---" and not pelican:
        return _fenced(path, text, "---", "yaml")
    if first == "+++":
        return _fenced(path, text, "+++", "toml")
    if text.startswith("{"):
        return _json_object(text)
    if pelican:
        return pelican_header(text)
    return Head({}, text, 1, "none")


def _close(text: str, fence: str) -> int:
    """Where the closing fence line starts (at its newline), or -1."""
    at = text.find("\n" + fence, len(fence))
    while at != -1 and text[at + len(fence) + 1: at + len(fence) + 2] not in ("\n", ""):
        at = text.find("\n" + fence, at + 1)
    return at


def _fenced(path: str, text: str, fence: str, kind: str) -> Head:
    end = _close(text, fence)
    if end == -1:
        return Head({}, text, 1, kind, error=f"the front matter opened by {fence} is never closed")
    head = text[len(fence) + 1: end + 1]
    body = text[end + len(fence) + 2:]
    body_line = head.count("\n") + 3
    lines = {m.group(1): head.count("\n", 0, m.start()) + 2
             for m in re.finditer(r"^\[?([A-Za-z_][\w.-]*)\]?\s*[:=]", head, re.M)}
    if kind == "toml":
        try:
            data: Any = tomllib.loads(head)
        except tomllib.TOMLDecodeError as exc:
            at = re.search(r"line (\d+)", str(exc))
            return Head({}, body, body_line, kind, lines, error=f"broken TOML: {exc}",
                        error_line=int(at.group(1)) + 1 if at else 1)
    else:
        data, problems = load_yaml(path, head, offset=1)
        if problems:
            return Head({}, body, body_line, kind, lines, error=problems[0].message, error_line=problems[0].line)
    if not isinstance(data, dict):
        data = {} if data is None else {"": data}
        if data:
            return Head({}, body, body_line, kind, lines, error="the front matter is not a mapping of fields")
    return Head(data, body, body_line, kind, lines)


def _json_object(text: str) -> Head:
    try:
        data, end = json.JSONDecoder().raw_decode(text)
    except json.JSONDecodeError as exc:
        return Head({}, text, 1, "json", error=f"broken JSON front matter: {exc.msg} at line {exc.lineno}")
    body = text[end:].lstrip(" \t").removeprefix("\n")
    return Head(data if isinstance(data, dict) else {}, body, text.count("\n", 0, end) + 2, "json")


def _json_fenced(text: str) -> Head:
    end = _close(text, "---")
    if end == -1:
        return Head({}, text, 1, "json", error="the front matter opened by ---json is never closed")
    inner = text[len("---json\n"): end + 1]
    try:
        data = json.loads(inner)
    except json.JSONDecodeError as exc:
        return Head({}, text[end + 5:], 1, "json", error=f"broken JSON front matter: {exc.msg}")
    return Head(data if isinstance(data, dict) else {}, text[end + 5:], inner.count("\n") + 3, "json")


def pelican_header(text: str) -> Head:
    """Python-Markdown's meta-data: `Key: value` lines up to the first blank line, keys in any
    case (kept lower-cased), indented lines continuing the value; optional `---` fences."""
    lines = text.split("\n")
    start = 1 if lines and lines[0].strip() == "---" else 0
    data: dict[str, Any] = {}
    where: dict[str, int] = {}
    key = ""
    n = start
    for n in range(start, len(lines)):
        line = lines[n]
        if not line.strip() or (n > start and line.strip() in ("---", "...")):
            break
        m = PELICAN_KEY.match(line)
        if m and not (key and line.startswith(("    ", "\t"))):
            key = m.group(1).strip().lower()
            data[key] = m.group(2).strip()
            where[key] = n + 1
        elif key and line.startswith(("    ", "\t")):
            data[key] = (data[key] + " " + line.strip()).strip()
        else:
            return Head({}, text, 1, "none")  # not a header: the file starts with its text
    else:
        n = len(lines)
    rest = lines[n + 1:] if n < len(lines) else []
    return Head(data, "\n".join(rest), n + 2, "pelican" if data else "none", where)
