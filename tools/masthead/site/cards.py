"""Cards rendered ahead: on every core before the page workers fork, and kept between builds.

A story's card appears on a dozen pages (its lists, the pages of stories it is related to).
Each worker would otherwise render every card it meets again; rendered once in the parent,
the cards are shared with the workers by `fork`. They are also kept in the build state
(table `cards`, `masthead/state.py`) for the next build that writes many pages (a story added
at the top of a list moves every page of it), valid while the theme, masthead's code and the
output libraries are the same (a card's key stands for everything else it shows).
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from masthead import state
from masthead.domain.stories import Story

from .plan import digest
from .render import Theme
from .story_pages import BodyPack, bodies_ahead, close_pack
from .views import Views

TABLE = "cards"
PACK = "bodies.pack"  # in the site's folder of the build state, during a build
LEVELS = (2, 3)  # lists show cards under h2, story pages and author pages under h3
SIZE = "default"
PARALLEL_FROM = 400  # cards to render before a pool pays off



@dataclass(frozen=True)
class CardJob:
    """What the card pool's workers render from: handed to each worker once, by the pool's
    initialiser (inherited through `fork`, never pickled), not through module globals."""

    views: Views
    theme: Theme
    root: Path
    stories: list[Story]
    bodies: list[Story]


_WORKER: list[CardJob] = []  # set in a worker process by `_start_worker`, and only there


def _usual(views: Views, story: Story) -> Iterator[tuple[str, int]]:
    """The languages and levels a story's card is usually shown in: the site's and its own."""
    for lang in {views.settings.language, story.lang}:
        for level in LEVELS:
            yield lang, level


def _render(views: Views, theme: Theme, stories: list[Story]) -> None:
    for story in stories:
        card = views.card(story)
        for lang, level in _usual(views, story):
            theme.card_renderer(lang, "")(card, level)


def _start_worker(job: CardJob) -> None:
    _WORKER[:] = [job]


def _chunk(part: tuple[list[int], list[int]]) -> tuple[list[tuple[tuple[object, ...], str]], list[Any]]:
    """In a worker: render the cards and bodies `part` names, by their places in the job's lists."""
    job = _WORKER[0]
    cards, bodies = part
    before = set(job.theme.cards)
    _render(job.views, job.theme, [job.stories[i] for i in cards])
    made = bodies_ahead(job.root, [job.bodies[i] for i in bodies], job.views.settings.trust_raw_html,
                        job.theme.translator, job.views.settings.embeds)
    return [(key, html) for key, html in job.theme.cards.items() if key not in before], made


def missing(views: Views, theme: Theme) -> list[Story]:
    """Stories shown on the site whose usual cards are not rendered yet."""
    keys = views.card_keys()
    return [s for s in views.stories
            if any((keys[s.source], level, SIZE, lang) not in theme.cards for lang, level in _usual(views, s))]


def prerender(views: Views, theme: Theme, root: Path, stories: list[Story], workers: int,
              bodies: list[Story], home: Path) -> None:
    """Render the usual cards of `stories` into `theme`, and the `bodies` of stories that
    several files show (a story's page and its feeds) into a pack in the site's `home`
    (until `drop_pack`), on every core when there are many."""
    pack = BodyPack(home / PACK)
    if workers == 1 or len(stories) + len(bodies) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        _render(views, theme, stories)
        pack.add(bodies_ahead(root, bodies, views.settings.trust_raw_html, theme.translator,
                              views.settings.embeds))
    else:
        parts = workers * 8
        jobs = [(list(range(n, len(stories), parts)), list(range(n, len(bodies), parts))) for n in range(parts)]
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"), initializer=_start_worker,
                                 initargs=(CardJob(views, theme, root, stories, bodies),)) as pool:
            for cards, rendered in pool.map(_chunk, jobs):
                theme.cards.update(cards)
                pack.add(rendered)
    pack.share()


def drop_pack(home: Path) -> None:
    """The build is written: the bodies' pack is closed and removed."""
    close_pack()
    (home / PACK).unlink(missing_ok=True)


def _table(theme: Theme, root: Path) -> state.Table:
    return state.for_root(root).table(TABLE, digest(("cards", theme.digest, state.code_signature())))


def load(theme: Theme, root: Path) -> None:
    """The cards the last build kept, when the theme, code and libraries are the same."""
    theme.cards.update(_table(theme, root).read())


def save(views: Views, theme: Theme, root: Path) -> None:
    """Keep the cards of the stories there are now (the others are gone or changed)."""
    current = set(views.card_keys().values())
    _table(theme, root).write({key: html for key, html in theme.cards.items() if key[0] in current}, whole=True)
