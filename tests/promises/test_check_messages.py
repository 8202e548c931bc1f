"""`masthead check` on bad promise files: the cases and their messages are data (check_cases.yml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from masthead.sources.magazine import load_magazine

from .conftest import Mag

CASES: list[dict[str, Any]] = yaml.safe_load((Path(__file__).with_name("check_cases.yml")).read_text("utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_check_says(case: dict[str, Any], mag: Mag) -> None:
    mag.topic("t", "T")
    for rel, text in case["files"].items():
        mag.write(rel, text)
    _, problems = load_magazine(mag.root, use_cache=False)
    assert [p.text() for p in problems] == case["expect"]


def test_the_sample_magazine_passes(capsys: pytest.CaptureFixture[str]) -> None:
    root = Path(__file__).resolve().parents[2]
    magazine, problems = load_magazine(root, use_cache=False)
    assert magazine is not None and magazine.promises and magazine.topics
    assert [p.text() for p in problems if p.path.startswith("contributors/") or "promise" in p.field] == []
