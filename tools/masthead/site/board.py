"""The board of promises (`board/`), and what promises add to author pages and the leaderboard.

Delivery is read from the main branch's history once per build. A build never fetches: in a
shallow clone, delivered promises show "date not known" and a note says why (the workflow
that builds the site should check out with `fetch-depth: 0`).
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass
from datetime import date
from typing import Callable, Sequence

from masthead.domain import promises as pr
from masthead.domain import urls
from masthead.domain.leaderboard import Row
from masthead.domain.typography import typeset_text
from masthead.sources.promise_history import Landing, deliveries
from masthead.sources.promises import load_windows

from .plan import Planner
from .specs import page_spec
from .views import View, Views

log = logging.getLogger(__name__)
Translate = Callable[..., str]


@dataclass(frozen=True)
class PromiseState:
    today: date
    windows: pr.Windows
    deliveries: list[pr.Delivery]
    landing: Landing


_STATES: "weakref.WeakKeyDictionary[Views, PromiseState]" = weakref.WeakKeyDictionary()


def promise_state(plan: Planner) -> PromiseState:
    """Every promise judged as of the build's day; computed once per build."""
    views = plan.views
    cached = _STATES.get(views)
    if cached is None:
        windows = load_windows(plan.root)
        today = views.magazine.local_day(views.now)
        rows, landing = deliveries(plan.root, views.magazine, windows, today, deepen=False)
        if landing.note:
            log.warning("board of promises: %s", landing.note)
        cached = _STATES[views] = PromiseState(today, windows, rows, landing)
    return cached


def state_text(d: pr.Delivery, t: Translate, lang: str, views: Views) -> str:
    """The state in the reader's language, phrased without plural forms."""
    closed = views.theme.date_text(d.promise.closed, lang) if d.promise.closed else ""
    return {
        pr.State.ON_TIME: t("board.on_time"),
        pr.State.LATE: t("board.late", n=d.days),
        pr.State.DUE: t("board.due_today") if d.days == 0 else t("board.days_left", n=d.days),
        pr.State.OVERDUE: t("board.overdue", n=d.days),
        pr.State.RELEASED: t("board.released_on", date=closed),
        pr.State.DROPPED: t("board.dropped_on", date=closed),
        pr.State.UNKNOWN: t("board.date_unknown"),
    }[d.state]


def promise_view(d: pr.Delivery, views: Views, t: Translate, lang: str) -> View:
    p = d.promise
    topic = views.magazine.topics.get(p.topic)
    story = views.by_content.get(d.story.removeprefix("content/")) if d.story else None
    url = views.story_url(story.content_path) if story else None
    return {
        "id": p.id, "anchor": f"promise-{p.id}", "state": d.state.value, "days": d.days,
        "state_text": state_text(d, t, lang, views), "missed": d.missed,
        "topic": dict(topic_title(topic, p.topic, views, lang),
                      section=views.section(topic.section, lang) if topic and topic.section else None),
        "people": [views.author_link(h, lang) for h in p.contributors],
        "due_iso": p.due.isoformat(), "due_text": views.theme.date_text(p.due, lang),
        "extended_from": views.theme.date_text(p.original_due, lang) if p.extensions else None,
        "delivered_iso": d.delivered.isoformat() if d.delivered else None,
        "delivered_text": views.theme.date_text(d.delivered, lang) if d.delivered else None,
        "story": {"title": story.title, "url": url} if story and url else None,
        "reason": p.reason,
    }


def topic_title(topic: pr.Topic | None, topic_id: str, views: Views, lang: str) -> View:
    """A topic's title in the reader's language, or in the site language's with `title_lang`
    set (the theme marks it with its `lang`); the id only when the topic file is gone."""
    text, its_lang = topic.title_in(lang, views.settings.language) if topic else (topic_id, lang)
    return {"title": typeset_text(text, its_lang), "title_lang": its_lang if its_lang != lang else None}


def topic_view(topic: pr.Topic, views: Views, lang: str) -> View:
    return {"id": topic.id, "anchor": f"topic-{topic.id}", **topic_title(topic, topic.id, views, lang),
            "notes": topic.notes,
            "section": views.section(topic.section, lang) if topic.section else None,
            "proposed_by": views.author_link(topic.proposed_by, lang) if topic.proposed_by else None}


def board_view(plan: Planner, lang: str) -> View:
    views, state = plan.views, promise_state(plan)
    t = plan.theme.translator(lang)
    rows = state.deliveries
    recent = pr.recently_delivered(rows, state.today, state.windows.recent_days)
    given_back = sorted((d for d in rows if d.state in (pr.State.RELEASED, pr.State.DROPPED)),
                        key=lambda d: (d.promise.closed or date.min, d.promise.id), reverse=True)
    return {
        "open": [promise_view(d, views, t, lang) for d in rows if d.status == "open"],
        "delivered": [promise_view(d, views, t, lang) for d in recent],
        "unknown": [promise_view(d, views, t, lang) for d in rows if d.state is pr.State.UNKNOWN],
        "released": [promise_view(d, views, t, lang) for d in given_back],
        "topics": [topic_view(x, views, lang) for x in pr.free_topics(views.magazine.topics.values(), rows)],
        "today_iso": state.today.isoformat(), "today_text": views.theme.date_text(state.today, lang),
        "recent_days": state.windows.recent_days,
        "history_note": state.landing.note or None,
        "rules": [t(key) for key in pr.RULES],
    }


def plan_board(plan: Planner) -> None:
    """The board in every language the magazine publishes in."""
    for lang in plan.views.languages:
        t = plan.theme.translator(lang)
        path = plan.site(lang)["board_url"]
        plan.add_page(page_spec(path, "board.html", "contributors/promises/", title=t("nav.board"), lang=lang, kind="board",
                  description=t("board.intro"), alternates=plan.counterparts(path, lang),
                  own={"board": board_view(plan, lang)}))


# --- author pages and the leaderboard ---------------------------------------------------

def author_promises(plan: Planner, handle: str, lang: str) -> View:
    """One author's promises, newest first, with their record."""
    state, views = promise_state(plan), plan.views
    t = plan.theme.translator(lang)
    mine = [d for d in state.deliveries if d.promise.is_by(handle)]
    record = pr.records(mine, state.today).get(handle, pr.Record())
    items = sorted(mine, key=lambda d: (d.promise.made, d.promise.id), reverse=True)
    return {"items": [promise_view(d, views, t, lang) for d in items],
            "record": {"kept": record.kept, "late": record.late, "missed": record.missed, "open": record.open,
                       "released": record.released, "on_time_rate": record.on_time_rate}}


def story_promise(views: Views, story_promise_id: str, lang: str = "") -> View | None:
    """What a story page says about the promise it keeps: the topic, linked to the board in
    the story's language (`lang`)."""
    p = views.magazine.promises.get(story_promise_id) if story_promise_id else None
    if p is None:
        return None
    topic = views.magazine.topics.get(p.topic)
    lang = lang or views.settings.language
    return {"id": p.id, **topic_title(topic, p.topic, views, lang),
            "url": urls.localise(f"board/#promise-{p.id}", lang, views.settings.language)}


def reliable_rows(plan: Planner, rows: Sequence[Row], start: date | None) -> list[pr.ReliableRow]:
    """The leaderboard's rows re-ranked with promises kept (see `promises.with_reliability`)."""
    state = promise_state(plan)
    return pr.with_reliability(rows, pr.records(state.deliveries, state.today, start))


def reliability_cells(row: pr.ReliableRow) -> View:
    return {"kept": row.kept, "late": row.late, "missed": row.missed, "on_time_rate": row.on_time_rate}


def rules(t: Translate) -> list[str]:
    return [t(key) for key in pr.RULES]
