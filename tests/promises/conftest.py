"""A tiny real magazine in a real Git repository, with commits at chosen dates."""

from __future__ import annotations

import os
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from masthead.cli import main

THEME = Path(__file__).resolve().parents[2] / "theme"

MAGAZINE = """\
title: Tiny
language: en
timezone: Europe/Paris
sections:
  - id: city
    title: City
  - id: work
    title: Work
promises:
  due_soon_days: 7
  stale_days: 14
  recent_days: 60
  regular_pieces: 2
"""

PEOPLE = {
    "ana": "name: Ana Lima\nroles: [author]\njoined: 2026-01-10\ngithub: ana-gh\n",
    "ben": "name: Ben Ode\nroles: [author]\njoined: 2026-02-01\n",
    "cleo": "name: Cleo Vance\nroles: [editor, author]\njoined: 2026-01-05\ngithub: cleo-gh\n",
    "dan": "name: Dan Ruiz\nroles: [author]\njoined: 2026-03-01\ngithub: dan-gh\n",
}


def story(title: str, authors: str, when: str, promise: str = "", draft: bool = False, section: str = "city") -> str:
    lines = [f'title: "{title}"', f"authors: {authors}", f"date: {when}", f"section: {section}",
             f'summary: "About {title}."']
    lines += [f"promise: {promise}"] * bool(promise) + ["draft: true"] * draft
    return "---\n" + "\n".join(lines) + "\n---\n\nSome words about it.\n"


def promise_file(topic: str, by: str, made: str, due: str, extra: str = "") -> str:
    return f"topic: {topic}\nby: [{by}]\nmade: {made}\ndue: {due}\n" + textwrap.dedent(extra)


@dataclass
class Mag:
    """A magazine repository: write files, commit them on a day, run the CLI."""

    root: Path

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def git(self, *args: str, when: str | None = None) -> str:
        env = dict(os.environ, GIT_AUTHOR_NAME="Ed", GIT_AUTHOR_EMAIL="ed@example.org",
                   GIT_COMMITTER_NAME="Ed", GIT_COMMITTER_EMAIL="ed@example.org")
        if when:
            env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        done = subprocess.run(["git", *args], cwd=self.root, env=env, check=True, capture_output=True, text=True)
        return done.stdout

    def commit(self, when: str, message: str = "change") -> None:
        """Commit everything at `when` (ISO date-time with offset)."""
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, when=when)

    def topic(self, ident: str, title: str, section: str = "city") -> None:
        self.write(f"contributors/topics/{ident}.yml", f"title: {title}\nsection: {section}\n")

    def promise(self, ident: str, *args: str, **kw: str) -> None:
        self.write(f"contributors/promises/{ident}.yml", promise_file(*args, **kw))

    def story(self, rel: str, *args: object, **kw: object) -> None:
        self.write(f"content/{rel}", story(*args, **kw))  # type: ignore[arg-type]

    def run(self, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
        code = main(["--root", str(self.root), *argv])
        out, err = capsys.readouterr()
        return code, out, err


def make_mag(root: Path) -> Mag:
    """A tiny magazine, committed on main on 2026-10-01: four people, no promises yet."""
    m = Mag(root)
    m.root.mkdir(parents=True)
    m.write("site_config/magazine.yml", MAGAZINE)
    m.write("site_config/mkdocs.yml", "site_name: Tiny\nsite_url: https://tiny.example.org/\n")
    for handle, text in PEOPLE.items():
        m.write(f"contributors/{handle}.yml", text)
    m.write(".gitignore", ".masthead-cache/\nsite/\n")
    m.git("init", "-q", "-b", "main")
    m.commit("2026-10-01T09:00:00+02:00", "the magazine")
    return m


@pytest.fixture
def mag(tmp_path: Path) -> Mag:
    return make_mag(tmp_path / "mag")
