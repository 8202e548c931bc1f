"""The docs are checked against the code: every command, front-matter field and setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from masthead.cli import COMMANDS
from masthead.sources.schemas import ContributorFields, MagazineFields, StoryFields

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
MODEL = (ROOT / "docs/content-model.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_readme(command: str) -> None:
    name = command.strip('_').replace('_', '-')  # import_: `import` is a Python keyword
    assert f"masthead {name}" in README or f"`{name} " in README


@pytest.mark.parametrize("model", [StoryFields, ContributorFields, MagazineFields])
def test_every_field_is_documented(model: type) -> None:
    missing = [name for name in model.model_fields if f"`{name}" not in MODEL]
    assert missing == []


def test_the_readme_quickstart_is_what_ci_runs() -> None:
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    assert "bash scripts/test.sh" in README and "bash scripts/test.sh" in ci
    assert "bash scripts/demo.sh" in README and (ROOT / "scripts/demo.sh").exists()
