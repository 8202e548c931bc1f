"""Contributors and the editorial board."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

FEDIVERSE_RE = re.compile(r"^@[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+$")

ROLES = ("author", "editor", "translator", "photographer", "illustrator", "moderator", "organiser")


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Contributor:
    handle: str
    name: str
    joined: date
    roles: tuple[str, ...]
    source: str
    bio: str = ""
    links: tuple[Link, ...] = ()
    avatar: str = ""
    avatar_alt: str = ""
    languages: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    github: str = ""
    fediverse: str = ""  # @user@host, checked by the schema (docs/reach.md)
    fields_lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_editor(self) -> bool:
        return "editor" in self.roles


def fediverse_url(account: str) -> str:
    """`@user@host` as the profile address most fediverse servers give it: https://host/@user."""
    user, host = account.lstrip("@").split("@", 1)
    return f"https://{host}/@{user}"


def editorial_board(people: dict[str, Contributor]) -> list[Contributor]:
    """Editors, by name, then handle."""
    return sorted((p for p in people.values() if p.is_editor), key=lambda p: (p.name.casefold(), p.handle))
