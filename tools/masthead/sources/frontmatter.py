"""The one module that parses YAML: front matter of stories, and whole YAML files.

Every failure becomes a `Problem` with the file's line, never a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml_env_tag import construct_env_tag

from masthead.domain.problems import Problem, Severity

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser is ~8x faster


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """The safe loader, leaving dates as text: the schemas parse them, so that an impossible
    date such as 2026-02-30 is reported at its field and line instead of failing the file."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _Base.yaml_implicit_resolvers.items()
    }

class _MkDocsLoader(_Base):  # type: ignore[misc, valid-type]
    """mkdocs.yml as MkDocs reads it: `!ENV` through MkDocs' own constructor (pyyaml_env_tag),
    any other tag (`!relative`, `!!python/name:...`) read as a plain value and never run."""


_MkDocsLoader.add_constructor("!ENV", construct_env_tag)
_MkDocsLoader.add_multi_constructor("", lambda loader, suffix, node: (
    loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None))

BOM = b"\xef\xbb\xbf"
KEY_RE = re.compile(r"^([A-Za-z_][\w-]*)\s*:", re.M)
# Characters XML 1.0 forbids (feeds are XML) and that mean nothing in a story: C0 controls but
# tab and newlines, DEL, and the two non-characters U+FFFE/U+FFFF.
CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
ALIAS_LIMIT = 10_000  # values that `*alias` references may stand for in one file (a bomb: ~10^9)


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
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, problems + [Problem(path, line, "", "file is not valid UTF-8",
                                         expected="UTF-8 text", found=f"byte 0x{raw[exc.start]:02x}",
                                         fix="save the file as UTF-8", code="encoding")]
    first = CONTROL_RE.search(text)
    if first is not None:
        problems.append(Problem(path, text.count("\n", 0, first.start()) + 1, "",
                                "control characters removed", Severity.WARNING,
                                found=f"U+{ord(first.group()):04X} ({len(CONTROL_RE.findall(text))} in the file)",
                                fix="delete them (they often come with text pasted from a PDF or a word processor)",
                                code="control-character"))
        text = CONTROL_RE.sub("", text)
    return text, problems


def _scrub(value: Any) -> tuple[Any, int]:
    """The value with control characters removed from every text in it (a double-quoted
    YAML string can make one with an escape such as \\f), and how many texts changed."""
    if isinstance(value, str):
        return (CONTROL_RE.sub("", value), 1) if CONTROL_RE.search(value) else (value, 0)
    if isinstance(value, list):
        pairs = [_scrub(v) for v in value]
        return [v for v, _ in pairs], sum(n for _, n in pairs)
    if isinstance(value, dict):
        changed = 0
        out = {}
        for k, v in value.items():
            out[k], n = _scrub(v)
            changed += n
        return out, changed
    return value, 0


def scrub_values(path: str, data: Any, text: str, lines: dict[str, int]) -> tuple[Any, list[Problem]]:
    """`data` with control characters removed from its texts, and a warning per field."""
    if "\\" not in text or not isinstance(data, dict):  # only an escape can make one
        return data, []
    problems = []
    for key, value in list(data.items()):
        data[key], changed = _scrub(value)
        if changed:
            problems.append(Problem(path, lines.get(str(key), 1), str(key), "control characters removed",
                                    Severity.WARNING, fix="delete the escape (such as \\f) from the text",
                                    code="control-character"))
    return data, problems


def strip_controls(text: str) -> str:
    """The text without the characters `decode` removes (and warns about)."""
    return CONTROL_RE.sub("", text) if CONTROL_RE.search(text) else text


def key_lines(text: str, offset: int = 0) -> dict[str, int]:
    """Line of each top-level key (1-based), for messages."""
    lines: dict[str, int] = {}
    for m in KEY_RE.finditer(text):
        lines.setdefault(m.group(1), text.count("\n", 0, m.start()) + 1 + offset)
    return lines


def alias_bomb(text: str, loader: Any = _Loader) -> int | None:
    """The 0-based line of the alias past which `*alias` references stand for more than
    ALIAS_LIMIT values, or None. Reads the event stream (aliases not expanded), so it is
    linear in the text; only text with a `*` can hold an alias."""
    if "*" not in text:
        return None
    sizes: dict[str, int] = {}
    stack: list[list[Any]] = [[None, 0]]
    expanded = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.AliasEvent):
            size = sizes.get(event.anchor or "", 1)
            expanded += size
            if expanded > ALIAS_LIMIT:
                return int(event.start_mark.line) if event.start_mark else 0
            stack[-1][1] += size
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor:
                sizes[event.anchor] = 1
            stack[-1][1] += 1
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            stack.append([event.anchor, 1])
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            anchor, size = stack.pop()
            if anchor:
                sizes[anchor] = size
            stack[-1][1] += size
    return None


OPENED = {"a quoted scalar": "a quote", "a flow sequence": "a list '['", "a flow mapping": "a mapping '{'"}


def _where(exc: yaml.MarkedYAMLError, text: str) -> tuple[Any, str]:
    """The mark to report and what to say. PyYAML marks the place it gave up; for a quote or
    bracket left open that is the end of the text, so the place it was opened is reported."""
    what = exc.problem or "invalid YAML"
    mark = exc.problem_mark or exc.context_mark
    at_end = mark is not None and not text[mark.index:].strip()
    if exc.context_mark is not None and exc.context and at_end:
        opened = exc.context.removeprefix("while scanning ").removeprefix("while parsing ")
        return exc.context_mark, f"{OPENED.get(opened, opened)} opened on this line is never closed"
    return mark, what


def load_yaml(path: str, text: str, offset: int = 0, loader: Any = _Loader) -> tuple[Any, list[Problem]]:
    """Parse YAML text; a syntax error, or aliases standing for too many values, becomes a
    Problem at its line."""
    try:
        bomb = alias_bomb(text, loader)
        if bomb is not None:
            return None, [Problem(path, bomb + 1 + offset, "",
                                  f"YAML aliases (*name) stand for more than {ALIAS_LIMIT:,} values",
                                  expected="a file of plain values", found="anchors (&name) repeated by aliases",
                                  fix="write the values out instead of using & anchors and * aliases",
                                  code="yaml-aliases")]
        return yaml.load(text, Loader=loader), []
    except yaml.MarkedYAMLError as exc:
        mark, what = _where(exc, text)
        line = (mark.line + 1 + offset) if mark else offset + 1
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
    lines = key_lines(text)
    data, scrubbed = scrub_values(path, data, text, lines)
    problems += scrubbed
    if not more and not isinstance(data, dict):
        problems.append(Problem(path, 1, "", "the file must be a mapping of fields",
                                expected="lines like 'name: ...'", found=type(data).__name__,
                                code="not-mapping"))
        data = None
    return Parsed(data if isinstance(data, dict) else None, lines=lines, problems=problems)


def load_mkdocs_yaml(path: str, text: str) -> tuple[Any, list[Problem]]:
    """mkdocs.yml with its `!ENV` tags resolved as MkDocs resolves them (see `_MkDocsLoader`)."""
    return load_yaml(path, text, loader=_MkDocsLoader)


def front_matter_end(text: str) -> int:
    """Where the line `---` closing the front matter starts (at its newline), or -1."""
    end = text.find("\n---", 3)
    while end != -1 and text[end + 4: end + 5] not in ("\n", ""):
        end = text.find("\n---", end + 4)
    return end


def split_body(text: str) -> str:
    """The body of a story file: everything after the closing `---` of the front matter."""
    text = strip_controls(text.lstrip("\ufeff").replace("\r\n", "\n"))
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
    lines = key_lines(head, 1)
    data, scrubbed = scrub_values(path, data, head, lines)
    problems += scrubbed
    if not more and not isinstance(data, dict):
        problems.append(Problem(path, 2, "", "front matter must be a mapping of fields",
                                expected="lines like 'title: ...'", found=type(data).__name__,
                                code="not-mapping"))
    return Parsed(data if isinstance(data, dict) else None, body, body_line, lines, problems)


def dump_front_matter(fields: dict[str, Any]) -> str:
    """Front matter text written with the safe dumper, so no value can break out of it."""
    return "---\n" + yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=1000) + "---\n"


def dump_yaml(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
