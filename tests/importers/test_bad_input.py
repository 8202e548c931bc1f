"""Bad input to `masthead import`, from tests/importers/bad_input.yml: exit status 2 and a
message naming the file and the fix, never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from masthead.cli import main

CASES = yaml.safe_load((Path(__file__).parent / "bad_input.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str], case: dict[str, Any]) -> None:
    for rel, text in case["files"].items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    args = [a.replace("{tmp}", str(tmp_path)) for a in case["args"]]
    assert main(["import", *args]) == 2
    err = capsys.readouterr().err
    assert case["message"].replace("{tmp}", str(tmp_path)) in err and "Traceback" not in err
    if "out/notes.txt" in case["files"]:
        assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["notes.txt"]  # left alone
