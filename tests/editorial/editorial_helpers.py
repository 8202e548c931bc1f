"""A tiny real magazine in a temporary Git repository, and helpers to send it submissions.

A module of its own, not conftest.py, so tests import the helpers explicitly."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GIT_DATE = "2026-11-19T10:00:00+01:00"

PEOPLE = {
    "hannah-reid": "name: Hannah Reid\nroles: [editor, author]\njoined: 2024-05-19\n",
    "anna-sokolova": "name: Anna Sokolova\nroles: [author]\njoined: 2024-09-10\n",
    "mathieu-roux": "name: Mathieu Roux\nroles: [author]\njoined: 2025-01-12\n",
}


def story(title: str, authors: str, date: str, section: str = "city", tags: str = "[]", body: str = "",
          extra: str = "") -> str:
    return (f'---\ntitle: "{title}"\nauthors: [{authors}]\ndate: {date}\nsection: {section}\n'
            f'summary: "About {title.lower()}."\ntags: {tags}\n{extra}---\n\n'
            f"{body or 'The first stall opens before the trams; the radio plays old songs.'}\n")


STORIES = {
    "content/city/quay-market.md": story("Morning at the quay market", "anna-sokolova", "2026-11-16 08:00",
                                         tags="[markets]"),
    "content/work/copy-desk.md": story("Notes from the copy desk", "hannah-reid", "2026-11-18 09:00",
                                       section="work", tags="[editing]"),
    # Dated in the future: it must stay out of every page, feed and list until its day.
    "content/culture/solstice-choir.md": story("The solstice choir", "mathieu-roux", "2026-12-21 18:00",
                                               section="culture", tags="[music, winter]"),
}


def git(repo: Path, *args: str, date: str = GIT_DATE, name: str = "Test Editor") -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": "test@example.invalid",
           "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": "test@example.invalid",
           "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def write(repo: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@dataclass
class Magazine:
    """The repository and a few verbs a test needs."""

    root: Path

    def git(self, *args: str, **kw: str) -> str:
        return git(self.root, *args, **kw)

    def submit(self, branch: str, files: dict[str, str], message: str = "A submission",
               date: str = "2026-11-20T21:00:00+01:00", author: str = "A Reader") -> str:
        """A plain branch from main with one commit, as a Git-savvy author would send it."""
        current = self.git("rev-parse", "--abbrev-ref", "HEAD")
        self.git("checkout", "-q", "-b", branch, "main")
        write(self.root, files)
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, date=date, name=author)
        tip = self.git("rev-parse", "HEAD")
        self.git("checkout", "-q", current)
        return tip

    def head(self, ref: str = "main") -> str:
        return self.git("rev-parse", ref)


def make_magazine(root: Path) -> Magazine:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "site_config", root / "site_config")
    shutil.copytree(ROOT / "theme", root / "theme")
    write(root, {f"contributors/{h}.yml": text for h, text in PEOPLE.items()})
    write(root, STORIES)
    (root / ".gitignore").write_text(".masthead-cache/\nsite/\n.site.masthead/\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "The magazine")
    return Magazine(root)


NIGHT_BREAD = {
    "contributors/lena-fischer.yml": "name: Lena Fischer\nroles: [author]\njoined: 2026-11-20\n",
    "content/city/night-bread.md": story("Night bread", "lena-fischer", "2026-11-21 07:00", tags="[bread, night]",
                                         body="At three in the morning the ovens are warm. " * 40),
}

ADVERT = {
    "content/city/cheap-shoes.md": story("Cheap shoes on the quay", "anna-sokolova", "2026-11-21 09:00",
                                         tags="[shoes]"),
}
