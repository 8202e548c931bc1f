"""docs/promises.md against the code: every field, setting, command and option is documented."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from masthead.cli import parser
from masthead.sources.promise_schemas import ExtensionFields, PromiseFields, TopicFields
from masthead.sources.schemas import PromiseSettingsFields

DOC = (Path(__file__).resolve().parents[2] / "docs" / "promises.md").read_text("utf-8")


@pytest.mark.parametrize("model", [TopicFields, PromiseFields, ExtensionFields])
def test_every_field_is_documented(model: type) -> None:
    assert [f for f in model.model_fields if f"`{f}`" not in DOC] == []


def test_every_setting_is_documented() -> None:
    assert [f for f in PromiseSettingsFields.model_fields if f"`promises.{f}`" not in DOC] == []


def _subparsers(p: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def commands() -> list[tuple[str, argparse.ArgumentParser]]:
    top = _subparsers(parser())
    out = []
    for name in ("topic", "promise", "remind", "stats"):
        verbs = _subparsers(top[name])
        out += [(f"masthead {name} {verb}", p) for verb, p in verbs.items()] or [(f"masthead {name}", top[name])]
    return out


@pytest.mark.parametrize(("command", "p"), commands(), ids=[c for c, _ in commands()])
def test_every_command_and_option_is_documented(command: str, p: argparse.ArgumentParser) -> None:
    assert f"`{command}" in DOC
    # --root and --verbose: every command's, documented once in the README
    options = [o for a in p._actions for o in a.option_strings
               if o.startswith("--") and o not in ("--help", "--root", "--verbose")]
    assert [o for o in options if o not in DOC] == []
