"""Is the published site already what a build would make? Answered from file stamps alone.

After each build we record a digest of every input's stamp (content, contributors,
site_config, theme, masthead's own code, the build's options) and the moment until which
the output stays valid: the next story's publication time or the next local midnight
(the leaderboard counts days), whichever comes first. A later build with the same digest
before that moment has nothing to do.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from pathlib import Path

from masthead.paths import CODE, stamp_tree

INPUTS = ("content", "contributors", "site_config", "theme")


def inputs_digest(root: Path, options: str) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(options.encode())
    for base in [root / name for name in INPUTS] + [CODE]:
        stamp_tree(h, base)
    return h.hexdigest()


def build_options(preview: bool, url: str | None, site_dir: Path, theme_dir: Path | None) -> str:
    return repr((preview, url, str(site_dir), str(theme_dir)))


def site_home(site_dir: Path) -> Path:
    """The folder beside the site holding its staging tree, manifest and freshness record."""
    return site_dir.parent / f".{site_dir.name}.masthead"


def record_path(site_home: Path) -> Path:
    return site_home / "fresh.json"


def is_fresh(site: Path, site_home: Path, digest: str, now: datetime) -> bool:
    try:
        data = json.loads(record_path(site_home).read_text())
    except (OSError, ValueError):
        return False
    until = datetime.fromisoformat(data["until"]) if data.get("until") else None
    return data.get("digest") == digest and site.is_dir() and (until is None or now < until)


def remember(site_home: Path, digest: str, until: datetime | None) -> None:
    path = record_path(site_home)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"digest": digest, "until": until.isoformat() if until else None}))
    os.replace(tmp, path)


def forget(site_home: Path) -> None:
    record_path(site_home).unlink(missing_ok=True)
