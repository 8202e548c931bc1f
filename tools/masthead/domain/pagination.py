"""Splitting a list into pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Sequence, TypeVar

from .urls import paged

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    number: int
    pages: int
    items: Sequence[T]
    base: str

    @property
    def path(self) -> str:
        return paged(self.base, self.number)

    @property
    def prev_path(self) -> str | None:
        return paged(self.base, self.number - 1) if self.number > 1 else None

    @property
    def next_path(self) -> str | None:
        return paged(self.base, self.number + 1) if self.number < self.pages else None


def paginate(items: Sequence[T], per_page: int, base: str) -> list[Page[T]]:
    """At least one page, even for an empty list."""
    count = max(1, -(-len(items) // per_page))
    return [Page(n + 1, count, items[n * per_page:(n + 1) * per_page], base) for n in range(count)]
