"""What an import did, story by story: converted, guessed, or left for a person to do."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

KINDS = ("converted", "guessed", "not-converted")
EMAIL = re.compile(r"<?[\w.+-]+@[\w-]+\.[\w.-]+>?")  # the report is kept in the repository: no addresses


@dataclass(frozen=True, order=True)
class Note:
    """One line of the report, at its place in the source."""

    source: str  # file in the old site (or the export), relative to the source given
    line: int
    kind: str  # one of KINDS
    what: str  # short name of the feature: "shortcode youtube", "author", "date"
    detail: str = ""

    def text(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.kind}: {self.what}" + (f": {self.detail}" if self.detail else "")


@dataclass
class Report:
    """Every note of one import, plus what was written (for the next run to tidy up)."""

    notes: list[Note] = field(default_factory=list)
    stories: int = 0
    people: int = 0
    redirects: int = 0
    written: list[str] = field(default_factory=list)

    def add(self, source: str, line: int, kind: str, what: str, detail: str = "") -> None:
        assert kind in KINDS, kind
        self.notes.append(Note(source, max(line, 0), kind, what, EMAIL.sub("(address left out)", detail)))

    def converted(self, source: str, line: int, what: str, detail: str = "") -> None:
        self.add(source, line, "converted", what, detail)

    def guessed(self, source: str, line: int, what: str, detail: str = "") -> None:
        self.add(source, line, "guessed", what, detail)

    def missed(self, source: str, line: int, what: str, detail: str = "") -> None:
        self.add(source, line, "not-converted", what, detail)

    def count(self, kind: str) -> int:
        return sum(n.kind == kind for n in self.notes)

    def summary(self) -> str:
        return (f"masthead import: {self.stories} stories, {self.people} contributors, "
                f"{self.redirects} redirects; {self.count('converted')} conversions, "
                f"{self.count('guessed')} guesses, {self.count('not-converted')} not converted")

    def as_text(self) -> str:
        lines = [n.text() for n in sorted(set(self.notes))]
        return "\n".join([*lines, self.summary()]) + "\n"

    def as_json(self) -> str:
        data = {"stories": self.stories, "people": self.people, "redirects": self.redirects,
                "counts": {k: self.count(k) for k in KINDS},
                "notes": [{"source": n.source, "line": n.line, "kind": n.kind, "what": n.what, "detail": n.detail}
                          for n in sorted(set(self.notes))],
                "written": sorted(set(self.written))}
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
