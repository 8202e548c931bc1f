"""The domain package stays pure: no adapter library, no file or clock access."""

from __future__ import annotations

import ast
from pathlib import Path

import masthead.domain

FORBIDDEN = {"mkdocs", "yaml", "git", "github3", "feedgen", "starlette", "uvicorn", "jinja2", "sqlite3",
             "requests", "httpx", "subprocess", "socket", "pydantic", "PIL"}
DOMAIN = Path(masthead.domain.__file__).parent


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_domain_imports_no_adapter_library() -> None:
    offenders = {p.name: sorted(imported(p) & FORBIDDEN) for p in DOMAIN.glob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_domain_reads_no_clock_and_opens_no_file() -> None:
    for path in DOMAIN.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for call in ("datetime.now(", "date.today(", "time.time(", "open(", "Path("):
            assert call not in text, f"{path.name} calls {call}"


def test_the_check_itself_would_catch_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import yaml\nfrom git import Repo\n")
    assert imported(bad) & FORBIDDEN == {"yaml", "git"}
