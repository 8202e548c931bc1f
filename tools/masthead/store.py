"""A dictionary kept in the build state (`state.py`) whose saves write only what changed.

Story records and the plan memo are tens of thousands of entries of which a rebuild after one
edit changes a few dozen: `save` writes the changed rows and deletes the removed ones, in one
transaction, so a crash at any point loses nothing but time.
"""

from __future__ import annotations

from typing import Any

from masthead.state import Table


class DeltaStore:
    """`read` the entries as last saved; `replace` them with this run's, then `save`."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.entries: dict[Any, Any] = {}
        self.changed: dict[Any, Any] = {}
        self.removed: set[Any] = set()
        self.loaded = False

    def read(self) -> "DeltaStore":
        self.entries = self.table.read()
        self.loaded = True
        return self

    def written_at(self) -> int:
        """When the store was last saved (ns since the epoch; 0 if never): a file changed later
        cannot be in it as it is now."""
        return self.table.saved_at()

    def replace(self, entries: dict[Any, Any]) -> None:
        """This run's entries, all of them; those not identical to the saved ones are changes."""
        for key, value in entries.items():
            if self.entries.get(key) is not value:
                self.changed[key] = value
                self.removed.discard(key)
        self.removed |= self.entries.keys() - entries.keys()
        self.entries = entries

    def save(self) -> None:
        if self.changed or self.removed or not self.loaded:
            self.table.write(self.changed, self.removed, whole=not self.loaded)
        self.changed, self.removed, self.loaded = {}, set(), True
