"""The masthead page (who makes the magazine) and the leaderboard (who published what)."""

from __future__ import annotations

from masthead.domain import leaderboard as lb
from masthead.domain.contributors import editorial_board

from .board import reliability_cells, reliable_rows  # promises
from .lists import languages
from .plan import Planner
from .specs import page_spec
from .render import language_name
from .views import View


def plan_masthead(plan: Planner) -> None:
    """The masthead in every language."""
    views = plan.views
    people = views.magazine.people
    published = sorted((h for h in people if views.pieces.get(h)),
                       key=lambda h: (-views.pieces[h], people[h].name.casefold(), h))
    for lang, _ in languages(plan):
        t = plan.theme.translator(lang)
        path = plan.site(lang)["links"]["masthead"]
        board = [views.person(p.handle, lang) for p in editorial_board(people)]
        plan.add_page(page_spec(path, "masthead.html", "contributors/", title=t("masthead.heading"), lang=lang,
                  kind="masthead", alternates=plan.counterparts(path, lang),
                  own={"board": board, "contributors": [views.person(h, lang) for h in published]}))


def leaderboard_view(plan: Planner, lang: str) -> View:
    views, settings = plan.views, plan.settings
    t = plan.theme.translator(lang)
    today = views.magazine.local_day(views.now)
    published = [s for s in views.stories if s.date <= views.now and not s.draft]
    first = views.magazine.local_day(published[-1].date) if published else None
    windows: list[View] = []
    summary: View | None = None
    days = [views.magazine.local_day(s.date) for s in published]  # once for all windows
    for w in settings.windows:
        start = lb.window_start(w, today, first)
        stories = [s for s, day in zip(published, days) if start <= day <= today]
        rows = [{"rank": r.rank, "person": views.person(r.handle, lang) if r.handle in views.magazine.people
                 else {"name": r.handle, "url": None, "handle": r.handle},
                 "pieces": r.pieces, "words": r.words,
                 "languages": [language_name(code) for code in r.languages], **reliability_cells(r)}
                for r in reliable_rows(plan, lb.rank(stories), start)]  # promises: kept, on-time rate
        key, values = lb.window_label(w)
        label = t(key, **values)
        same = next((x for x in windows if x["rows"] == rows), None)
        if same is not None:  # a window ranking exactly as an earlier one is named with it, not repeated
            same["label"] = f"{same['label']} · {label}"
            same["also"].append(w.id)
        else:
            windows.append({"id": w.id, "label": label, "start": start.isoformat(), "rows": rows, "also": []})
        if summary is None:
            share = lb.share(stories, views.magazine.people, settings.targets)
            cadence = lb.cadence(stories, start, today, settings.targets)
            summary = {
                "share": {"editorial": share.editorial, "community": share.community,
                          "community_share": round(share.community_share, 3), "target": share.target, "met": share.met},
                "cadence": {"per_day": round(cadence.per_day, 2), "target": cadence.target, "met": cadence.met,
                            "days": cadence.days},
            }
    return {"windows": windows, **(summary or {}), "rules": [t(key) for key in lb.RULES]}


def plan_leaderboard(plan: Planner) -> None:
    """The leaderboard in every language."""
    for lang, _ in languages(plan):
        t = plan.theme.translator(lang)
        path = plan.site(lang)["links"]["leaderboard"]
        plan.add_page(page_spec(path, "leaderboard.html", "leaderboard", title=t("leaderboard.heading"), lang=lang,
                  kind="leaderboard", alternates=plan.counterparts(path, lang),
                  own={"leaderboard": leaderboard_view(plan, lang)}))
