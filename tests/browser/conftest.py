"""Headless Chromium for the browser tests: where it is, how it is started, one per module."""

from __future__ import annotations

import http.server
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest

# Screenshots and audit reports for a person to look at (git-ignored; printed at the end of a run).
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
WRITTEN: list[Path] = []  # folders of ARTIFACTS this run wrote
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Without the background-networking flags Chromium keeps trying to reach Google's hosts.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for folder in WRITTEN:
        terminalreporter.write_line(f"browser artifacts: {folder}")
