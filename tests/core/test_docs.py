"""The docs are checked against the code: every command, front-matter field and setting."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from masthead.cli import COMMANDS, main
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


# `masthead topic add|list`, `masthead submissions [list|retry|...]`: a command and the actions the README names
ACTIONS_RE = re.compile(r"`masthead ([a-z-]+) \[?([a-z-]+(?:\\\|[a-z-]+)+)")
README_ACTIONS = [(m.group(1), action) for m in ACTIONS_RE.finditer(README) for action in m.group(2).split("\\|")]


def test_the_readme_names_actions() -> None:
    assert ("submissions", "list") in README_ACTIONS and ("promise", "extend") in README_ACTIONS


@pytest.mark.parametrize("command, action", README_ACTIONS)
def test_every_action_the_readme_names_is_accepted(command: str, action: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([command, action, "--help"])
    assert exit_.value.code == 0, capsys.readouterr().err


@pytest.mark.parametrize("argv", [["check", "--root", "{root}"], ["--root", "{root}", "check"],
                                  ["check", "-v", "--root", "{root}", "--strict"]])
def test_global_options_go_before_or_after_the_command(magazine: Any, argv: list[str],
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    magazine.story("city/only-here.md", authors=["zed"])  # an error only that magazine has
    assert main([word.format(root=magazine.root) for word in argv]) == 1, capsys.readouterr().err
    assert "content/city/only-here.md:3: error: field 'authors'" in capsys.readouterr().out


def test_the_demo_takes_its_ports_from_the_environment(tmp_path: Path) -> None:
    """scripts/demo.sh run against a recording stand-in for setup.sh and the masthead command."""
    (tmp_path / "scripts").mkdir()
    (tmp_path / ".venv/bin").mkdir(parents=True)
    shutil.copy(ROOT / "scripts/demo.sh", tmp_path / "scripts/demo.sh")
    (tmp_path / "scripts/setup.sh").write_text("true\n")
    fake = tmp_path / ".venv/bin/masthead"
    fake.write_text('#!/bin/bash\ncalls="$(dirname "$0")/calls"\n'
                    'echo "$* site=$MASTHEAD_SUBMISSIONS_SITE_URL form=$MASTHEAD_SUBMISSIONS_SERVICE_URL" >> "$calls"\n'
                    # `serve` runs until the service (started in the background before it) has been called
                    'if [ "$1" = serve ]; then for _ in $(seq 500); do grep -q formbot "$calls" && break; '
                    'sleep 0.01; done; fi\n')
    fake.chmod(0o755)
    env = {**os.environ, "MASTHEAD_SITE_PORT": "8600", "MASTHEAD_FORM_PORT": "8601"}
    done = subprocess.run(["bash", str(tmp_path / "scripts/demo.sh")], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert "http://127.0.0.1:8600/" in done.stdout and "http://127.0.0.1:8601/" in done.stdout
    calls = (tmp_path / ".venv/bin/calls").read_text().splitlines()
    local = "site=http://127.0.0.1:8600/ form=http://127.0.0.1:8601/"
    assert f"build {local}" in calls  # the built form posts to the local service
    assert f"formbot --host 127.0.0.1 --port 8601 {local}" in calls  # its receipt links to the local site
    assert any(c.startswith("serve --host 127.0.0.1 --port 8600 ") for c in calls)
