"""Fixtures of the editorial desk's tests; the helpers live in editorial_helpers.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from .editorial_helpers import Magazine, make_magazine


@pytest.fixture
def magazine(tmp_path: Path) -> Magazine:
    """A fresh magazine repository on main: three contributors (one editor), three stories,
    one of them dated in the future."""
    return make_magazine(tmp_path / "magazine")
