"""List pages: home, sections, tags, places, languages, authors and the archive, paginated."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from babel.dates import get_month_names

from masthead.domain import urls
from masthead.domain.pagination import Page, paginate
from masthead.domain.reading import front_page, language_first
from masthead.domain.stories import Story, is_published

from .board import author_promises  # promises: an author's record (site/board.py)
from .events import home_events
from .plan import Planner
from .render import language_name
from .specs import Inputs, PageContext, PageSpec, Shared, page_spec
from .views import View, plain_text

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
              extra: dict[str, Any] | None = None, localised: bool = False,
              versions: list[str] | None = None) -> None:
    """A list and its further pages; each page is its own job, and the list one unit, whose
    inputs are the cards' keys (and each page's date for the sitemap): cheap at 10,000 stories.
    `localised`: the languages `versions` (default: every language) have this list at the
    same path below their prefix."""
    card_keys = plan.views.card_keys()
    per_page = plan.settings.per_page
    plan.add_unit(f"list:{base}", owner, {
        "base": base, "template": template, "owner": owner, "lang": lang, "kind": kind, "per_page": per_page,
        "cards": tuple([card_keys[s.source] for s in stories]),
        "lastmods": tuple([s.date.date().isoformat() for s in stories[::per_page]]),
        "page": {"heading": heading, "intro": intro, "feeds": feeds, "own": extra or {}, "localised": localised,
                 "versions": versions}}, list_specs)


def list_specs(unit: Inputs) -> list[PageSpec]:
    """A list's pages, from its unit's inputs (`plan_list`)."""
    fixed = unit["page"]
    pages = paginate(unit["cards"], unit["per_page"], unit["base"])
    lastmods = unit["lastmods"]
    return [PageSpec(page.path, unit["template"], unit["owner"], unit["lang"], unit["kind"],
                     {**fixed, "cards": tuple(page.items), "number": page.number, "pages": page.pages,
                      "base": page.base},
                     list_page, lastmod=lastmods[n] if n < len(lastmods) else None)
            for n, page in enumerate(pages)]


def list_page(inputs: Inputs, shared: Shared) -> PageContext:
    """One page of a list: its cards looked up by their keys."""
    page: Page[str] = Page(inputs["number"], inputs["pages"], (), inputs["base"])
    heading, intro, versions = inputs["heading"], inputs["intro"], inputs["versions"]
    listing = {"heading": heading, "intro": intro, "items": [shared.card(k) for k in inputs["cards"]],
               "pager": pager_view(page)}
    title = heading if page.number == 1 else f"{heading} · {shared.t('pager.page_of', page=page.number, pages=page.pages)}"
    return PageContext(title, {"listing": listing, **inputs["own"]}, intro, feeds=inputs["feeds"],
                       alternates=shared.counterparts(page.path, shared.lang, versions) if inputs["localised"] else None)


def languages(plan: Planner) -> list[tuple[str, str]]:
    """Each language the magazine publishes in, with its prefix (`""`, `ru/`)."""
    site_lang = plan.settings.language
    return [(lang, urls.lang_prefix(lang, site_lang)) for lang in plan.views.languages]


def plan_home(plan: Planner) -> None:
    """A front page per language: its lead, its latest and a block per section."""
    views, settings = plan.views, plan.settings
    sections = [x.id for x in settings.sections]
    for lang, prefix in languages(plan):
        front = front_page(views.stories, lang, sections, HOME_LATEST, SECTION_BLOCK)
        lead = views.card(front.lead) if front.lead else None
        blocks = [{"section": views.section(sid, lang), "items": [views.card(s) for s in items]}
                  for sid, items in front.blocks]
        feeds = plan.feeds_of("", settings.title) if not prefix else (
            plan.feeds_of(prefix, f"{settings.title} · {language_name(lang)}")
            if any(s.lang == lang for s in views.stories) else [])
        plan.add_page(page_spec(prefix, "home.html", "site_config/magazine.yml", title=settings.title, lang=lang, kind="home",
                  feeds=feeds, alternates=plan.counterparts(prefix, lang),
                  own={"lead": lead, "latest": [views.card(s) for s in front.latest], "section_blocks": blocks,
                         "events": home_events(plan, lang)},  # events near (docs/reach.md)
                  lastmod=lead["date_iso"][:10] if lead else None))


def plan_sections(plan: Planner) -> None:
    """Each section in each language: the reader's language first, then the others."""
    site_lang = plan.settings.language
    by_section: dict[str, list[Story]] = defaultdict(list)
    for s in plan.views.stories:
        by_section[s.section].append(s)
    for lang, prefix in languages(plan):
        for section in plan.settings.sections:
            view = plan.views.section(section.id, lang)
            # One feed per section, in the site's language; its link is named in the page's
            # ("Город · RSS" on a Russian page, not "City · RSS").
            feed_path = urls.section_path(section.id)
            plan_list(plan, view["url"], language_first(by_section.get(section.id, []), lang), heading=view["title"],
                      lang=lang, kind="section", owner="site_config/magazine.yml", localised=True,
                      intro=section.description(lang, site_lang),
                      feeds=plan.feeds_of(feed_path, view["title"]))


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


def versions_of(plan: Planner, stories: list[Story]) -> list[str]:
    """The languages a list of `stories` is made in: the site's, and those of its stories. A
    language without a story in the list does not get a copy of it (links to the list from
    that language's pages go to the site language's)."""
    site_lang = plan.settings.language
    have = {s.lang for s in stories}
    return [lang for lang in plan.views.languages if lang == site_lang or lang in have]


def plan_terms(plan: Planner) -> None:
    """Every tag and place, and their indexes, in every language (labels from site_config);
    a term's own list in the languages of its stories (`versions_of`)."""
    for attr, kind, index in (("tags", "tag", "tags/"), ("places", "place", "places/")):
        groups = _grouped(plan.views.stories, attr)
        made = {path: versions_of(plan, stories) for path, (_, stories) in groups.items()}
        for lang, prefix in languages(plan):
            t = plan.theme.translator(lang)
            for path, (name, stories) in sorted(groups.items()):
                if lang not in made[path]:
                    continue
                label = plan.views.term(name, kind, lang)["name"]
                plan_list(plan, prefix + path, language_first(stories, lang), heading=label, lang=lang, kind=kind,
                          owner=f"{kind}:{name}", localised=True, versions=made[path],
                          feeds=_tag_feeds(plan, path, name, stories) if kind == "tag" else None)  # docs/reach.md
            counted = sorted(((plan.views.term(name, kind, lang)["name"],
                               (prefix if lang in made[path] else "") + path,
                               len(stories))
                              for path, (name, stories) in groups.items()),
                             key=lambda x: (-x[2], x[0].casefold()))
            terms = [{"name": name, "url": path, "count": count} for name, path, count in counted]
            plan.add_page(page_spec(prefix + index, "terms.html", f"{kind}-index", title=t(f"{kind}s.heading"), lang=lang,
                      kind=kind, alternates=plan.counterparts(prefix + index, lang),
                      own={"terms": terms, "term_kind": kind}))


def _tag_feeds(plan: Planner, path: str, name: str, stories: list[Story]) -> list[View] | None:
    """A tag's feeds, where it has a published story (site/feeds.py makes them)."""
    live = any(is_published(s, plan.views.now) for s in stories)
    return plan.feeds_of(path, f"{plan.settings.title} · {name}") if live else None


def plan_languages(plan: Planner) -> None:
    """Nothing of its own any more: a language's address (`ru/`) is its front page (plan_home)."""


def plan_authors(plan: Planner) -> None:
    """Every contributor's page in every language: their stories in that language first."""
    views = plan.views
    by_author: dict[str, list[Story]] = defaultdict(list)
    for s in views.stories:
        for a in s.authors:
            by_author[a].append(s)
    for lang, _ in languages(plan):
        for handle in sorted(views.magazine.people):
            person = views.person(handle, lang)
            mine = by_author.get(handle, [])
            plan_list(plan, person["url"], language_first(mine, lang), heading=person["name"], lang=lang,
                      kind="author", owner=views.magazine.people[handle].source, template="author.html",
                      feeds=person["feeds"] if mine else [], localised=True,
                      extra={"person": person, "promises": author_promises(plan, handle, lang)},  # promises
                      intro=plain_text(person["bio"])[:300])


def plan_archive(plan: Planner) -> None:
    """The archive in each language: every story by month, month names in that language."""
    for lang, prefix in languages(plan):
        plan_archive_in(plan, lang, prefix)


def plan_archive_in(plan: Planner, lang: str, prefix: str) -> None:
    views = plan.views
    t = plan.theme.translator(lang)
    months: dict[tuple[int, int], list[Story]] = defaultdict(list)
    for s in views.stories:
        day = views.magazine.local_day(s.date)
        months[(day.year, day.month)].append(s)
    names = get_month_names("wide", locale=lang, context="stand-alone")
    years: dict[int, View] = {}
    for (year, month), stories in sorted(months.items(), reverse=True):
        versions = versions_of(plan, stories)  # a month's list in the languages of its stories
        path = (prefix if lang in versions else "") + urls.archive_path(year, month)
        label = f"{names[month]} {year}"
        if lang in versions:
            plan_list(plan, path, stories, heading=label, lang=lang, kind="archive", owner="archive",
                      localised=True, versions=versions)
        entry = years.setdefault(year, {"year": year, "count": 0, "months": []})
        entry["count"] += len(stories)
        entry["months"].append({"month": month, "name": names[month], "count": len(stories), "url": path})
    path = prefix + urls.archive_path()
    plan.add_page(page_spec(path, "archive.html", "archive", title=t("archive.heading"), lang=lang, kind="archive",
              alternates=plan.counterparts(path, lang), own={"years": list(years.values())}))
    for year, entry in years.items():  # archive/2026/: that year's months
        path = prefix + urls.archive_path(year)
        plan.add_page(page_spec(path, "archive.html", "archive", title=f"{t('archive.heading')} · {year}",
                  lang=lang, kind="archive", alternates=plan.counterparts(path, lang),
                  own={"years": [entry], "year": year}))
