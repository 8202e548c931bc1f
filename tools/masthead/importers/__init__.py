"""`masthead import`: existing sites turned into masthead magazines (docs/import.md).

Each source has one module with `read(source, report, media) -> OldSite`; what they share (front
matter, dates, authors, shortcodes, links, files, the report) lives beside them, and
`write.write_magazine` writes the result.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Callable

from .model import OldSite
from .report import Report

SOURCES = ("hugo", "zola", "jekyll", "pelican", "eleventy", "wordpress", "ghost")
FILE_SOURCES = ("wordpress", "ghost")  # an export file, not a folder


def reader(name: str) -> Callable[[Path, Report, Path | None], OldSite]:
    """The `read` function of one source's module."""
    module = importlib.import_module(f"masthead.importers.{name}")
    read: Callable[[Path, Report, Path | None], OldSite] = module.read
    return read
