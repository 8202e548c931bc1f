"""Links in a story's body to files in the repository: other stories and downloads.

A link to a story's file is written relative to the story (`../culture/x.md`), or from the
repository's root as GitHub reads it (`/content/culture/x.md`); either names the story below
content/. A link to any other local file (`[the PDF](files/guide.pdf)`) is a download: it
must be a file below the story's folder, inside the repository once links are followed, and
it is copied beside the story's page, so the link works unchanged. Pages and files a browser
would run on the magazine's own address (HTML, XHTML, XML with a stylesheet, Flash) are never
published as downloads.
"""

from __future__ import annotations

import html
import os
import posixpath
import re
from urllib.parse import unquote

from masthead.domain.problems import Problem

from .files import inside

# the same bracket discipline as records.IMAGE_RE (linear in the text); a title in either quote
LINK_RE = re.compile(r"(?<!!)\[[^\[\]]*\]\(\s*<?([^)\s<>\[\]]+?)>?(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^()]*\)))?\s*\)")
REF_DEF_RE = re.compile(r"^ {0,3}\[[^\[\]]+\]:\s*<?([^\s<>]+)>?", re.M)
HREF_RE = re.compile(r"<a\s[^>]*?\bhref\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", re.I)
UNSAFE_RE = re.compile(r"[\x00-\x1f\x7f\\\"'<>`]")
EXTENSION_RE = re.compile(r"^[A-Za-z0-9]{1,10}$")
PAGES = {"md", "markdown", "html", "htm"}  # links to pages: stories (resolved), or the old site's
ACTIVE = {"xhtml", "xht", "shtml", "xml", "xsl", "xslt", "mht", "mhtml", "swf"}  # would run on our origin


def story_target(folder: str, target: str) -> str:
    """A link to a story's file as that file's path below content/ (`folder`: the linking
    story's folder there); `/content/x.md` and `/x.md` are read from content/."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/").removeprefix("content/"))
    return posixpath.normpath(posixpath.join(folder, target))


ESCAPE_RE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _local_file(ref: str) -> str | None:
    """The path a link names, if it names a local file other than a page; else None. The
    destination is read as cmark reads it: backslash escapes and entities undone first
    (`javascript\\:x` and `javascript&#58;x` name a scheme, not a file)."""
    path = html.unescape(ESCAPE_RE.sub(r"\1", ref)).strip()
    path = unquote(path.split("#", 1)[0].split("?", 1)[0])
    if not path or path.startswith(("/", "\\")) or ":" in path or UNSAFE_RE.search(path):
        return None  # a scheme (however disguised), or not a name a file of ours has
    name = path.rsplit("/", 1)[-1]
    kind = name.rsplit(".", 1)[1] if "." in name.strip(".") else ""
    if not EXTENSION_RE.match(kind):
        return None  # a folder or a page address (`../about/`), not a file
    return None if kind.lower() in PAGES else path


def find_downloads(prose: str, body_line: int) -> list[tuple[str, int]]:
    """Local non-page files the body links to (inline, reference definitions, `<a href>`),
    each with its line, in the order written."""
    found: list[tuple[int, str]] = []
    if "](" in prose:
        found += [(m.start(), m.group(1)) for m in LINK_RE.finditer(prose)]
    if "]:" in prose:
        found += [(m.start(), m.group(1)) for m in REF_DEF_RE.finditer(prose)]
    if "href" in prose:
        found += [(m.start(), m.group(1) if m.group(1) is not None else m.group(2)) for m in HREF_RE.finditer(prose)]
    out: list[tuple[str, int]] = []
    for at, ref in sorted(found):
        path = _local_file(ref)
        if path is not None:
            out.append((path, body_line + prose.count("\n", 0, at)))
    return out


def check_downloads(root: str, rel: str, refs: list[tuple[str, int]]) -> list[Problem]:
    """Each download must be a file below the story's folder, inside the repository."""
    out: list[Problem] = []
    here = os.path.dirname(os.path.join(root, rel))
    seen: set[str] = set()
    for ref, line in refs:
        if ref in seen:
            continue
        seen.add(ref)
        target = os.path.join(here, ref)
        kind = ref.rsplit(".", 1)[-1].lower()
        if kind in ACTIVE:
            out.append(Problem(rel, line, "body", f"a .{kind} file cannot be published as a download: {ref}",
                               found=ref, fix="a browser would run it as a page of the magazine; "
                               "link to it on another host, or zip it", code="active-download"))
        elif ".." in ref.split("/") or os.path.isabs(ref) or inside(root, target) is None:
            out.append(Problem(rel, line, "body", f"linked file leaves the story's folder: {ref}",
                               expected="a file next to the story (or below its folder), inside the repository",
                               fix="put the file (not a link to it) next to the story and link to its name",
                               code="path-escape"))
        elif not os.path.isfile(target):
            out.append(Problem(rel, line, "body", f"missing file: {ref}", expected="a file next to the story",
                               fix=f"add {os.path.relpath(os.path.normpath(target), root)} or correct the link",
                               code="missing-file"))
    return out
