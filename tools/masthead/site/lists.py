"""List pages: home, sections, tags, places, languages, authors and the archive, paginated."""

from __future__ import annotations

from collections import defaultdict
from itertools import islice
from typing import Any

from babel.dates import get_month_names

from masthead.domain import urls
from masthead.domain.pagination import paginate
from masthead.domain.stories import Story, is_published

from .board import author_promises  # promises: an author's record (site/board.py)
from .plan import Planner, compact, digest
from .views import View

HOME_LATEST = 8
SECTION_BLOCK = 4


def pager_view(page: Any) -> View | None:
    if page.pages <= 1:
        return None
    shown = sorted({1, page.pages, *range(max(1, page.number - 2), min(page.pages, page.number + 2) + 1)})
    items: list[View] = []
    for n in shown:
        if items and n - items[-1]["number"] > 1:
            items.append({"gap": True, "number": n - 1})
        items.append({"gap": False, "number": n, "url": urls.paged(page.base, n), "current": n == page.number})
    return {"page": page.number, "pages": page.pages, "prev_url": page.prev_path, "next_url": page.next_path,
            "pages_list": items}


def plan_list(plan: Planner, base: str, stories: list[Story], *, heading: str, lang: str, kind: str,
              owner: str, intro: str = "", feeds: list[View] | None = None, template: str = "list.html",
              extra: dict[str, Any] | None = None) -> None:
    """A list and its further pages; each page is its own job, and the list one unit."""
    card_keys = plan.views.card_keys()
    keys = [card_keys[s.source] for s in stories]
    fixed = compact(extra)  # once per list, not once per page
    links = [(f["title"], f["url"]) for f in feeds or []]
    signature = (template, heading, intro, digest(keys), plan.settings.per_page, kind, fixed, links, lang)

    def make() -> None:
        t = plan.theme.translator(lang)
        per_page = plan.settings.per_page
        for page in paginate(stories, per_page, base):
            first, last = (page.number - 1) * per_page, page.number * per_page
            key = (template, heading, intro, keys[first:last], page.number, page.pages, base, kind, fixed, links)
            plan.lazy_page(page.path, template, owner, lang=lang, key=key,
                           build=_list_page(plan, heading, intro, page, kind, feeds, extra, t),
                           lastmod=page.items[0].date.date().isoformat() if page.items else None)

    plan.unit(f"list:{base}", signature, owner, make)


def _list_page(plan: Planner, heading: str, intro: str, page: Any, kind: str, feeds: list[View] | None,
               extra: dict[str, Any] | None, t: Any) -> Any:
    def build() -> dict[str, Any]:
        cards = [plan.views.card(s) for s in page.items]
        listing = {"heading": heading, "intro": intro, "items": cards, "pager": pager_view(page)}
        title = heading if page.number == 1 else f"{heading} · {t('pager.page_of', page=page.number, pages=page.pages)}"
        return {"title": title, "kind": kind, "feeds": feeds, "description": intro,
                "extra": {"listing": listing, **(extra or {})}}
    return build


def plan_home(plan: Planner) -> None:
    views, lang = plan.views, plan.settings.language
    home = [s for s in views.stories if s.lang == lang] or views.stories
    cards = [views.card(s) for s in home[:HOME_LATEST + 1]]
    blocks = []
    for section in plan.settings.sections:
        items = [views.card(s) for s in islice((s for s in home if s.section == section.id), SECTION_BLOCK)]
        if items:
            blocks.append({"section": views.section(section.id, lang), "items": items})
    plan.page("", "home.html", "site_config/magazine.yml", title=plan.settings.title, lang=lang, kind="home",
              feeds=plan.feeds_of("", plan.settings.title),
              extra={"lead": cards[0] if cards else None, "latest": cards[1:], "section_blocks": blocks},
              lastmod=cards[0]["date_iso"][:10] if cards else None)


def plan_sections(plan: Planner) -> None:
    lang = plan.settings.language
    by_section: dict[str, list[Story]] = defaultdict(list)
    for s in plan.views.stories:
        by_section[s.section].append(s)
    for section in plan.settings.sections:
        view = plan.views.section(section.id, lang)
        plan_list(plan, view["url"], by_section.get(section.id, []), heading=view["title"], lang=lang,
                  kind="section", owner="site_config/magazine.yml",
                  intro=section.description(lang, lang), feeds=plan.feeds_of(view["url"], view["title"]))


def _grouped(stories: list[Story], attr: str) -> dict[str, tuple[str, list[Story]]]:
    """Terms matched case-insensitively; the first spelling met (newest story) is shown."""
    groups: dict[str, tuple[str, list[Story]]] = {}
    path_of = urls.tag_path if attr == "tags" else urls.place_path
    by_term: dict[str, list[Story]] = {}  # each spelling's list, so each is slugged once
    for s in stories:
        for term in getattr(s, attr):
            same = by_term.get(term)
            if same is None:
                same = by_term[term] = groups.setdefault(path_of(term), (term, []))[1]
            same.append(s)
    return groups


def plan_terms(plan: Planner) -> None:
    lang = plan.settings.language
    t = plan.theme.translator(lang)
    for attr, kind, index in (("tags", "tag", "tags/"), ("places", "place", "places/")):
        groups = _grouped(plan.views.stories, attr)
        for path, (name, stories) in sorted(groups.items()):
            plan_list(plan, path, stories, heading=name, lang=lang, kind=kind, owner=f"{kind}:{name}",
                      feeds=_tag_feeds(plan, path, name, stories) if kind == "tag" else None)  # docs/reach.md
        counted = sorted(((name, path, len(stories)) for path, (name, stories) in groups.items()),
                         key=lambda x: (-x[2], x[0].casefold()))
        terms = [{"name": name, "url": path, "count": count} for name, path, count in counted]
        plan.page(index, "terms.html", f"{kind}-index", title=t(f"{kind}s.heading"), lang=lang, kind=kind,
                  extra={"terms": terms, "term_kind": kind})


def _tag_feeds(plan: Planner, path: str, name: str, stories: list[Story]) -> list[View] | None:
    """A tag's feeds, where it has a published story (site/feeds.py makes them)."""
    live = any(is_published(s, plan.views.now) for s in stories)
    return plan.feeds_of(path, f"{plan.settings.title} · {name}") if live else None


def plan_languages(plan: Planner) -> None:
    by_lang: dict[str, list[Story]] = defaultdict(list)
    for s in plan.views.stories:
        by_lang[s.lang].append(s)
    for lang, stories in sorted(by_lang.items()):
        path = urls.language_path(lang)
        name = plan.views.card(stories[0])["lang_name"]
        plan_list(plan, path, stories, heading=name, lang=lang, kind="language", owner=f"language:{lang}",
                  feeds=plan.feeds_of(path, f"{plan.settings.title} · {name}"))


def plan_authors(plan: Planner) -> None:
    views, lang = plan.views, plan.settings.language
    by_author: dict[str, list[Story]] = defaultdict(list)
    for s in views.stories:
        for a in s.authors:
            by_author[a].append(s)
    for handle in sorted(views.magazine.people):
        person = views.person(handle, lang)
        plan_list(plan, person["url"], by_author.get(handle, []), heading=person["name"], lang=lang,
                  kind="author", owner=views.magazine.people[handle].source, template="author.html",
                  feeds=person["feeds"] if by_author.get(handle) else [],
                  extra={"person": person, "promises": author_promises(plan, handle, lang)},  # promises
                  intro=views.magazine.people[handle].bio[:300])


def plan_archive(plan: Planner) -> None:
    views, lang = plan.views, plan.settings.language
    t = plan.theme.translator(lang)
    months: dict[tuple[int, int], list[Story]] = defaultdict(list)
    for s in views.stories:
        day = views.magazine.local_day(s.date)
        months[(day.year, day.month)].append(s)
    names = get_month_names("wide", locale=lang, context="stand-alone")
    years: dict[int, View] = {}
    for (year, month), stories in sorted(months.items(), reverse=True):
        path = urls.archive_path(year, month)
        label = f"{names[month]} {year}"
        plan_list(plan, path, stories, heading=label, lang=lang, kind="archive", owner="archive")
        entry = years.setdefault(year, {"year": year, "count": 0, "months": []})
        entry["count"] += len(stories)
        entry["months"].append({"month": month, "name": names[month], "count": len(stories), "url": path})
    plan.page(urls.archive_path(), "archive.html", "archive", title=t("archive.heading"), lang=lang, kind="archive",
              extra={"years": list(years.values())})
    for year, entry in years.items():  # archive/2026/: that year's months
        plan.page(urls.archive_path(year), "archive.html", "archive", title=f"{t('archive.heading')} · {year}",
                  lang=lang, kind="archive", extra={"years": [entry], "year": year})
