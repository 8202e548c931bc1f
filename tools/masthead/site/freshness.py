"""Is the published site already what a build would make? Answered from stamps alone.

After each build the site's folder in the build state (`masthead/state.py`) records a digest
of every input's stamp (content, contributors, site_config, theme), of masthead's code and the
versions of the libraries that shape the output, of the repository's Git refs (history feeds
the promises board), and of the build's options; and the span of time the output is right
for: from the moment it was built as of (`--now`, or the clock) until the next story's
publication time or the next local midnight (the leaderboard counts days). A later build
with the same digest, as of a moment inside that span, whose site files are all as written
(see `publish.damaged`), has nothing to do. Building as of an earlier moment never is.
"""

from __future__ import annotations

import hashlib
import os
import re
from datetime import datetime
from pathlib import Path

from masthead import state
from masthead.paths import stamp_tree

from .publish import damaged, read_manifest, unchanged

INPUTS = ("content", "contributors", "site_config", "theme")
RECORD = "fresh.json"
ENV_TAG = re.compile(r"!ENV\s+(\[[^\]]*\]|[^\s#,}\]]+)")  # mkdocs.yml's `!ENV NAME` / `!ENV [NAME, ..., default]`
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def inputs_digest(root: Path, options: str) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(options.encode())
    h.update(state.code_signature().encode())
    h.update(state.git_facts(root).encode())
    for base in [root / name for name in INPUTS]:
        stamp_tree(h, base)
    h.update(repr(environment_read(root)).encode())
    return h.hexdigest()


def environment_read(root: Path) -> list[tuple[str, str | None]]:
    """The environment variables the settings read through `!ENV` tags (`site_url: !ENV
    [SITE_URL, ...]` in mkdocs.yml), with their values: changing one changes the output.
    Found by a scan of the text, without loading YAML (the quick check imports nothing)."""
    out: list[tuple[str, str | None]] = []
    folder = root / "site_config"
    for path in sorted(folder.glob("*.yml")) + sorted(folder.glob("*.yaml")):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for match in ENV_TAG.finditer(text):
            for name in NAME.findall(match.group(1)):
                out.append((name, os.environ.get(name)))
    return out


def build_options(preview: bool, url: str | None, site_dir: Path, theme_dir: Path | None) -> str:
    return repr((preview, url, str(site_dir), str(theme_dir)))


def records_of(root: Path, site: Path) -> Path:
    """The folder of the build state holding what is known about the site at `site`."""
    return state.for_root(root).site_folder(site)


def is_fresh(site: Path, records: Path, digest: str, now: datetime) -> bool:
    data = state.read_json(records / RECORD)
    if not isinstance(data, dict) or data.get("digest") != digest or not site.is_dir() or site.is_symlink():
        return False
    try:
        since = datetime.fromisoformat(data["since"])
        until = datetime.fromisoformat(data["until"]) if data.get("until") else None
    except (KeyError, TypeError, ValueError):
        return False
    if now < since or (until is not None and now >= until):
        return False
    if unchanged(records, site):  # every file as published: the usual case, a stat of each
        return True
    files = read_manifest(records, site)
    return files is not None and not damaged(site, files)


def remember(records: Path, digest: str, since: datetime, until: datetime | None) -> None:
    state.write_json(records / RECORD, {"digest": digest, "since": since.isoformat(),
                                        "until": until.isoformat() if until else None})


def forget(records: Path) -> None:
    (records / RECORD).unlink(missing_ok=True)
