"""Story files to records: everything about a story that depends on its file alone.

A record is cached by the file's stamp (mtime, size, and its folder's mtime, so an image
added or removed next to the story is noticed); records are plain data so they pickle fast.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from masthead.domain.problems import Problem, Severity
from masthead.domain.stories import count_words

from .files import inside, svg_problem
from .frontmatter import parse_story

# Linear in the text: no part of a pattern can run past a bracket, so each attempt stops at
# the next `[` or `]` and attempts never scan the same text twice (200 KB of `![` is read in
# milliseconds; the earlier `[^\]]*` ran to the end of the text from every `![`).
IMAGE_RE = re.compile(r'!\[[^\[\]]*\]\(\s*<?([^)\s<>\[\]]+)>?(?:\s+"[^"\[\]]*")?\s*\)')
LINK_RE = re.compile(r"(?<!!)\[[^\[\]]*\]\(\s*<?([^)\s<>#\[\]]+\.md)(#[^)\s<>\[\]]*)?>?\s*\)")
FENCE_RE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
MAX_STORY_BYTES = 2_000_000


@dataclass
class StoryRecord:
    source: str
    digest: str
    fields: dict[str, Any] | None
    lines: dict[str, int]
    body_line: int
    words: int
    images: list[tuple[str, int]] = field(default_factory=list)
    md_links: list[tuple[str, int]] = field(default_factory=list)  # as written, with their lines
    link_targets: list[str] = field(default_factory=list)  # the same, as paths below content/
    problems: list[Problem] = field(default_factory=list)
    story: Any = None  # the Story it resolves to under the settings the cache was made with (resolve.py)
    story_problems: list[Problem] = field(default_factory=list)
    # When the front matter fails its schema, the cross-referenced fields that are well formed
    # (authors, section), so the check still reports an unknown author beside a bad date.
    loose: dict[str, Any] = field(default_factory=dict)


def stamp(path: str, folders: dict[str, int] | None = None) -> tuple[int, int, int]:
    """(mtime, size, folder mtime); `folders` remembers folder stamps across one walk."""
    st = os.stat(path)
    folder = os.path.dirname(path)
    known = folders.get(folder) if folders is not None else None
    if known is None:
        known = os.stat(folder).st_mtime_ns
        if folders is not None:
            folders[folder] = known
    return st.st_mtime_ns, st.st_size, known


def is_remote(ref: str) -> bool:
    return ref.startswith(("http://", "https://", "//", "data:"))


def _with_lines(matches: Iterable[re.Match[str]], body: str, body_line: int) -> list[tuple[re.Match[str], int]]:
    """Each match with its line, counted on from the previous one (linear, not per match)."""
    out: list[tuple[re.Match[str], int]] = []
    pos, line = 0, body_line
    for m in matches:
        line += body.count("\n", pos, m.start())
        pos = m.start()
        out.append((m, line))
    return out


def read_record(root: str, rel: str) -> StoryRecord:
    """Parse one story file; never raises for bad content."""
    full = os.path.join(root, rel)
    with open(full, "rb") as fh:
        raw = fh.read(MAX_STORY_BYTES + 1) if os.path.getsize(full) <= MAX_STORY_BYTES else fh.read()
    digest = hashlib.blake2b(raw, digest_size=16).hexdigest()
    parsed = parse_story(rel, raw, MAX_STORY_BYTES)
    record = StoryRecord(rel, digest, None, parsed.lines, parsed.body_line, 0, problems=list(parsed.problems))
    if parsed.data is None:
        return record
    from .schemas import StoryFields, validate  # pydantic: only when a story is read again

    model, problems = validate(StoryFields, parsed.data, rel, parsed.lines)
    record.problems += problems
    record.fields = model.model_dump() if model is not None else None
    if model is None:
        record.loose = loose_fields(parsed.data, {p.field.split(".", 1)[0] for p in problems})
    body = parsed.body
    prose = FENCE_RE.sub(lambda m: "\n" * m.group(0).count("\n"), body) if ("```" in body or "~~~" in body) else body
    record.words = count_words(prose)
    if "![" in prose:
        record.images = [(m.group(1), line) for m, line in _with_lines(IMAGE_RE.finditer(prose), prose,
                                                                        parsed.body_line)]
    if ".md" in prose:
        record.md_links = [(m.group(1), line) for m, line in _with_lines(LINK_RE.finditer(prose), prose,
                                                                          parsed.body_line)
                           if not is_remote(m.group(1))]
        folder = posixpath.dirname(rel.removeprefix("content/"))
        record.link_targets = [posixpath.normpath(posixpath.join(folder, target)) for target, _ in record.md_links]
    record.problems += _check_files(root, rel, record)
    return record


def loose_fields(data: dict[str, Any], failed: set[str]) -> dict[str, Any]:
    """`authors` and `section` as written, when they are well formed and not among the `failed` fields."""
    out: dict[str, Any] = {}
    authors = data.get("authors")
    authors = [authors] if isinstance(authors, str) else authors
    if "authors" not in failed and isinstance(authors, list) and all(isinstance(a, str) for a in authors):
        out["authors"] = [a.strip() for a in authors]
    if "section" not in failed and isinstance(data.get("section"), str):
        out["section"] = data["section"].strip()
    return out


def _check_files(root: str, rel: str, record: StoryRecord) -> list[Problem]:
    """Images the story uses must sit next to it, inside the repository."""
    out: list[Problem] = []
    here = os.path.dirname(os.path.join(root, rel))
    refs = list(record.images)
    if record.fields and record.fields.get("cover"):
        refs.append((record.fields["cover"], record.lines.get("cover", 1)))
    seen: set[str] = set()
    for ref, line in refs:
        if ref in seen:  # each image looked at once, at its first use (a paste may repeat one)
            continue
        seen.add(ref)
        where = "cover" if record.fields and ref == record.fields.get("cover") else "body"
        if is_remote(ref):
            out.append(Problem(rel, line, where, f"image on another host: {ref}", Severity.WARNING,
                               fix="readers' browsers will request that host; put the image next to the story",
                               code="remote-image"))
            continue
        target = os.path.join(here, ref)
        real = inside(root, target)
        if real is None or ".." in ref.split("/") or os.path.isabs(ref):
            out.append(Problem(rel, line, where, f"image path leaves the story's folder: {ref}",
                               expected="a file next to the story, inside the repository",
                               fix="put the image (not a link to it) next to the story and use its file name",
                               code="path-escape"))
        elif not real.is_file():
            out.append(Problem(rel, line, where, f"missing image: {ref}", expected="a file next to the story",
                               fix=f"add {os.path.relpath(os.path.normpath(target), root)} or correct the name",
                               code="missing-image"))
        elif ref.lower().endswith(".svg") and (why := svg_problem(real)) is not None:
            out.append(Problem(rel, line, where, f"the SVG cannot be read: {why}",
                               fix="export it again as plain SVG", code="bad-svg"))
    return out
