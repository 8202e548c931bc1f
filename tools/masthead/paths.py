"""Where a magazine's repository is, found without importing anything heavy."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from masthead.domain.problems import UsageError

CONFIG = "site_config/magazine.yml"


def find_root(start: str | os.PathLike[str] = ".") -> Path:
    """The repository root: the nearest folder up from `start` holding site_config/magazine.yml."""
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG).is_file():
            return folder
    raise UsageError(f"no magazine found in {here} or above (looked for {CONFIG}); "
                     "run masthead inside the magazine's repository or pass --root DIR")


def stamp_tree(h: "hashlib.blake2b", base: Path) -> None:
    """Feed `h` the path, mtime and size of every file below `base` (compiled files left out)."""
    for folder, dirs, files in os.walk(base):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".pyc"):
                continue
            st = os.stat(os.path.join(folder, name))
            h.update(f"{folder}/{name}:{st.st_mtime_ns}:{st.st_size};".encode())
