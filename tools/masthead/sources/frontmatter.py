"""The one module that parses YAML: front matter of stories, and whole YAML files.

Every failure becomes a `Problem` with the file's line, never a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from masthead.domain.problems import Problem, Severity

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser is ~8x faster


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """The safe loader, leaving dates as text: the schemas parse them, so that an impossible
    date such as 2026-02-30 is reported at its field and line instead of failing the file."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _Base.yaml_implicit_resolvers.items()
    }

BOM = b"\xef\xbb\xbf"
KEY_RE = re.compile(r"^([A-Za-z_][\w-]*)\s*:", re.M)


@dataclass
class Parsed:
    """A parsed file: its mapping, body, and the line of each top-level key."""

    data: dict[str, Any] | None
    body: str = ""
    body_line: int = 1
    lines: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def decode(path: str, raw: bytes, max_bytes: int) -> tuple[str | None, list[Problem]]:
    """Bytes to text, reporting size, BOM and encoding problems."""
    problems: list[Problem] = []
    if len(raw) > max_bytes:
        return None, [Problem(path, 0, "", f"file is {len(raw) / 1_000_000:.1f} MB, larger than the limit",
                              expected=f"at most {max_bytes / 1_000_000:.1f} MB",
                              fix="split it, or move large data out of the repository", code="too-large")]
    if raw.startswith(BOM):
        raw = raw[len(BOM):]
        problems.append(Problem(path, 1, "", "file starts with a byte-order mark (BOM)", Severity.WARNING,
                                fix="save the file as UTF-8 without BOM", code="bom"))
    try:
        return raw.decode("utf-8"), problems
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, problems + [Problem(path, line, "", "file is not valid UTF-8",
                                         expected="UTF-8 text", found=f"byte 0x{raw[exc.start]:02x}",
                                         fix="save the file as UTF-8", code="encoding")]


def key_lines(text: str, offset: int = 0) -> dict[str, int]:
    """Line of each top-level key (1-based), for messages."""
    lines: dict[str, int] = {}
    for m in KEY_RE.finditer(text):
        lines.setdefault(m.group(1), text.count("\n", 0, m.start()) + 1 + offset)
    return lines


def load_yaml(path: str, text: str, offset: int = 0) -> tuple[Any, list[Problem]]:
    """Parse YAML text; a syntax error becomes a Problem at its line."""
    try:
        return yaml.load(text, Loader=_Loader), []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + offset) if mark else offset + 1
        what = exc.problem or "invalid YAML"
        return None, [Problem(path, line, "", f"broken YAML: {what}",
                              fix="check indentation, and quote text containing ': ' or starting with a symbol",
                              code="yaml")]
    except yaml.YAMLError as exc:
        return None, [Problem(path, offset + 1, "", f"broken YAML: {exc}", code="yaml")]


def parse_yaml_file(path: str, raw: bytes, max_bytes: int = 1_000_000) -> Parsed:
    """A whole-file YAML mapping (contributors, settings)."""
    text, problems = decode(path, raw, max_bytes)
    if text is None:
        return Parsed(None, problems=problems)
    data, more = load_yaml(path, text)
    problems += more
    if not more and not isinstance(data, dict):
        problems.append(Problem(path, 1, "", "the file must be a mapping of fields",
                                expected="lines like 'name: ...'", found=type(data).__name__,
                                code="not-mapping"))
        data = None
    return Parsed(data if isinstance(data, dict) else None, lines=key_lines(text), problems=problems)


def front_matter_end(text: str) -> int:
    """Where the line `---` closing the front matter starts (at its newline), or -1."""
    end = text.find("\n---", 3)
    while end != -1 and text[end + 4: end + 5] not in ("\n", ""):
        end = text.find("\n---", end + 4)
    return end


def split_body(text: str) -> str:
    """The body of a story file: everything after the closing `---` of the front matter."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    end = front_matter_end(text)
    return text[end + 5:] if end != -1 else text


def parse_story(path: str, raw: bytes, max_bytes: int = 2_000_000) -> Parsed:
    """Split front matter from the body and parse it."""
    text, problems = decode(path, raw, max_bytes)
    if text is None:
        return Parsed(None, problems=problems)
    if not (text.startswith("---\n") or text.startswith("---\r\n")):
        return Parsed(None, problems=problems + [Problem(
            path, 1, "", "no front matter", expected="a first line '---' opening the YAML front matter",
            found=repr(text[:20]), fix="start the file with ---, the fields, and a closing ---",
            code="no-front-matter")])
    text = text.replace("\r\n", "\n")
    end = front_matter_end(text)
    if end == -1:
        return Parsed(None, problems=problems + [Problem(
            path, 1, "", "front matter is never closed", expected="a line '---' after the fields",
            fix="add a line with --- between the fields and the story", code="unclosed-front-matter")])
    head = text[4:end + 1]
    body = text[end + 5:]
    body_line = head.count("\n") + 3
    data, more = load_yaml(path, head, offset=1)
    problems += more
    if not more and not isinstance(data, dict):
        problems.append(Problem(path, 2, "", "front matter must be a mapping of fields",
                                expected="lines like 'title: ...'", found=type(data).__name__,
                                code="not-mapping"))
    return Parsed(data if isinstance(data, dict) else None, body, body_line, key_lines(head, 1), problems)


def dump_front_matter(fields: dict[str, Any]) -> str:
    """Front matter text written with the safe dumper, so no value can break out of it."""
    return "---\n" + yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=1000) + "---\n"


def dump_yaml(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
