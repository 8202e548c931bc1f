"""Files that leave the repository: where they really are, and what of them is copied.

Every file the build copies or reads because a story, a contributor or a page names it goes
through `inside`: the path with every symlink followed must lie inside the repository, and
no part of it below the root may be hidden (`.git/config`, `.env`). SVG images are copied
through svg-hush (Cloudflare's SVG filter), the one module that imports it: a static site
cannot send a Content-Security-Policy header, and an SVG opened on its own runs its scripts.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Callable

import py_svg_hush

Reader = Callable[[], bytes]


def real_root(root: str | Path) -> Path:
    return Path(os.path.realpath(root))


def inside(root: str | Path, path: str | Path) -> Path | None:
    """`path` with its links followed, if that is a place inside `root` and not hidden; else None.

    A link loop, or a name too long to follow, is outside too."""
    base = real_root(root)
    try:
        real = Path(os.path.realpath(path, strict=True))
    except FileNotFoundError:  # missing: where it would be, so that the message can say which
        real = Path(os.path.realpath(path))
    except (OSError, ValueError):
        return None
    if not real.is_relative_to(base):
        return None
    if any(part.startswith(".") for part in real.relative_to(base).parts):
        return None
    return real


def link_loops(path: str | Path) -> bool:
    """Whether following `path`'s links goes round in circles."""
    try:
        os.path.realpath(path, strict=True)
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def clean_svg(data: bytes) -> bytes:
    """The SVG without scripts, event handlers, `javascript:` links, foreign objects or
    references to other hosts. Raises ValueError for a file that is not SVG."""
    return bytes(py_svg_hush.filter_svg(data))


def svg_problem(path: str | Path) -> str | None:
    """Why the SVG at `path` cannot be published, or None."""
    try:
        with open(path, "rb") as fh:
            clean_svg(fh.read())
    except (OSError, ValueError) as exc:
        return str(exc) or type(exc).__name__
    return None


def copy_reader(path: str | Path, name: str) -> Reader:
    """A job's maker that copies the file; one published as `name`.svg is cleaned by `clean_svg`."""
    def read() -> bytes:
        with open(path, "rb") as fh:
            data = fh.read()
        if not name.lower().endswith(".svg"):
            return data
        try:
            return clean_svg(data)
        except ValueError:  # changed since `check` read it: an empty file, never the unsafe one
            return b""
    return read
