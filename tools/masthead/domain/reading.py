"""What a reader of one language is shown first: pure rules over stories (no I/O).

A reader keeps their language: lists put the stories written in it first (newest first),
then the others (newest first, each marked with its language by the theme); related
stories prefer the reader's language and never repeat the story itself or one of its
translations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from .stories import Story

LEAD_LOOKAHEAD = 3  # a lead with a picture is preferred among the newest few


def language_first(stories: Iterable[Story], lang: str) -> list[Story]:
    """`stories` (newest first) with those in `lang` first; each group keeps its order."""
    items = list(stories)
    return [s for s in items if s.lang == lang] + [s for s in items if s.lang != lang]


@dataclass(frozen=True)
class FrontPage:
    lead: Story | None
    latest: tuple[Story, ...]
    blocks: tuple[tuple[str, tuple[Story, ...]], ...]  # (section id, stories), sections in their order


def front_page(stories: Sequence[Story], lang: str, sections: Sequence[str], latest: int, block: int) -> FrontPage:
    """A language's front page: the lead (the newest story in `lang`, preferring one with a
    cover among the newest few), the latest others in `lang`, and a block per section that
    has stories (reader's language first). The lead is never shown twice; when nothing is
    written in `lang` the whole magazine stands in."""
    mine = [s for s in stories if s.lang == lang] or list(stories)
    head = mine[:LEAD_LOOKAHEAD]
    lead = next((s for s in head if s.cover), head[0] if head else None)
    rest = [s for s in mine if s is not lead]
    blocks = []
    for section in sections:
        items = [s for s in language_first((s for s in stories if s.section == section), lang) if s is not lead]
        if items:
            blocks.append((section, tuple(items[:block])))
    return FrontPage(lead, tuple(rest[:latest]), tuple(blocks))


def related_for_reader(candidates: Sequence[Story], story: Story, lang: str, limit: int,
                       versions: Mapping[str, Sequence[Story]]) -> list[Story]:
    """Up to `limit` related stories for a reader of `lang` on `story`, from `candidates`
    (best first; `versions`: each story's translations, by source). A candidate is shown in
    the reader's language when it has a version in it; never `story` itself or one of its
    translations (those are listed apart, under "Also in"), never two versions of one story;
    stories in `lang` first, each group in the candidates' order."""
    def group(s: Story) -> str:
        return min([s.source, *(v.source for v in versions.get(s.source, ()))])

    taken = {group(story)}
    chosen = []
    for s in candidates:
        key = group(s)
        if key in taken:
            continue
        taken.add(key)
        chosen.append(next((v for v in versions.get(s.source, ()) if v.lang == lang and s.lang != lang), s))
    return language_first(chosen, lang)[:limit]
