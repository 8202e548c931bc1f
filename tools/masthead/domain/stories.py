"""Stories and the one publication rule."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime

TARGET_RE = re.compile(r"\]\([^)\s\]]*\)|<[^<>\n]*>")  # linear: no run passes the next "](" or "<"
MARKS = frozenset(("-", "*", "+", "|", "#", "##", "###", "####", ">", "—", "–", "---", "***", "```", "&", "/", ":", "·"))


@dataclass(frozen=True)
class Story:
    """A story as written, with its place in the site computed by `urls`."""

    source: str  # path relative to the repository root, with forward slashes
    slug: str
    lang: str
    title: str
    authors: tuple[str, ...]
    date: datetime  # aware
    section: str
    digest: str  # content hash of the whole file: the cache key of everything derived
    summary: str = ""
    tags: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    cover: str = ""
    cover_alt: str = ""
    cover_credit: str = ""  # who made the cover picture, and its licence: shown as its caption
    translation_of: str = ""
    promise: str = ""
    draft: bool = False
    updated: datetime | None = None
    submitted_via: str = ""
    words: int = 0
    body_line: int = 1
    images: tuple[str, ...] = ()  # local image files the body and cover use, relative to the story
    downloads: tuple[str, ...] = ()  # other local files the body links to, copied beside its page
    links: tuple[str, ...] = ()  # other stories the body links to, as paths below content/
    lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)
    card_text: str = field(init=False, default="", compare=False)  # what its card shows of the file

    def __post_init__(self) -> None:
        object.__setattr__(self, "card_text", card_text(self))

    @property
    def content_path(self) -> str:
        """The path below `content/`, as `translation_of` names stories."""
        return self.source.split("/", 1)[1] if self.source.startswith("content/") else self.source


def card_text(story: Story) -> str:
    """The story's own fields a card shows (its address follows from source, slug, language and
    section): worked out once, when the story is made, and kept with it in the record cache."""
    return "\x1e".join((
        story.source, story.slug, story.lang, story.section, story.title, story.summary, story.date.isoformat(),
        "\x1f".join(story.tags), "\x1f".join(story.places), story.cover, story.cover_alt, story.promise))


def same_but_body(old: Story, new: Story) -> bool:
    """Whether `new` is `old` with another body: every field the same but the file's digest
    and the number of words (the front matter, the images, files and stories it names)."""
    return replace(old, digest=new.digest, words=new.words) == new


def is_published(story: Story, now: datetime) -> bool:
    """The publication rule, in one place: not a draft, and its date has come."""
    return not story.draft and story.date <= now


def count_words(markdown_text: str) -> int:
    """Words a reader reads: link targets, tags and bare punctuation left out (code blocks
    are removed by the caller)."""
    text = TARGET_RE.sub(" ", markdown_text) if ("](" in markdown_text or "<" in markdown_text) else markdown_text
    return len([token for token in text.split() if token not in MARKS])


def reading_minutes(words: int, words_per_minute: int) -> int:
    return max(1, round(words / max(1, words_per_minute)))


def newest_first(stories: list[Story]) -> list[Story]:
    """Newest first; ties broken by source path so every build orders alike."""
    return sorted(stories, key=lambda s: (-s.date.timestamp(), s.source))
