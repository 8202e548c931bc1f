"""The generate stage: every page, feed and file of the site, planned as jobs.

To add a page to the site, write a function `plan_<what>(plan: Planner) -> None` that calls
`plan.add_page(spec)` with one `PageSpec` per page (site/specs.py): its path, template,
owner, language and kind, and its declared inputs, from which the planner derives both the
page's key and its template context. For a small page whose context is made while planning,
`specs.page_spec(path, template, owner, title=..., lang=..., kind=..., own={...})` builds the
spec; for many pages (lists, stories), give the spec a module-level `context(inputs, shared)`
function and only small inputs (card keys, page numbers), and plan them as a unit
(`plan.add_unit`). A non-HTML file is `plan.add(Job(...))`. Add the function to PROVIDERS.
Paths come from `masthead.domain.urls`. The sitemap is planned last, from the jobs the
providers made. docs/architecture.md, "Page specs", says more.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from masthead.domain import urls
from masthead.domain.images import AVATAR_WIDTHS
from masthead.sources.files import inside

from .board import plan_board  # promises: board/ (docs/promises.md)
from .chrome import plan_chrome  # search and send in every language
from .extras import plan_404, plan_assets, plan_search, plan_sitemap, plan_static_pages
from .feeds import plan_feeds
from .events import plan_events  # reach: events/, events.ics (docs/reach.md)
from .bridge import plan_bridge  # reach: .well-known/ for a fediverse bridge (docs/reach.md)
from .newsletter import plan_newsletter  # reach: newsletter/ (docs/reach.md)
from .lists import plan_archive, plan_authors, plan_home, plan_languages, plan_sections, plan_terms
from .people_pages import plan_leaderboard, plan_masthead
from .memo import global_signature, open_memo
from .pictures import Pictures
from .plan import Planner
from .render import Theme
from .story_pages import plan_stories
from .redirects import plan_redirects  # old addresses kept (docs/import.md)
from .views import Views
from masthead.submissions.site_page import plan_send  # send-text form: send/ (docs/send-text.md)


def plan_avatars(plan: Planner) -> None:
    """Avatars kept in the repository are published beside their author page (through the
    image pipeline: no EXIF, a few widths); one whose path, links followed, leaves the
    repository is never copied (`check` reports it)."""
    for handle, person in sorted(plan.views.magazine.people.items()):
        if not person.avatar or "://" in person.avatar or os.path.isabs(person.avatar):
            continue
        source = inside(plan.root, os.path.join(plan.root, "contributors", person.avatar))
        if source is None or not source.is_file():
            continue
        name = person.avatar.rsplit("/", 1)[-1]
        plan.pictures.publish(plan, urls.author_path(handle), name, source, person.source, AVATAR_WIDTHS)


PROVIDERS: list[Callable[[Planner], None]] = [
    plan_stories, plan_home, plan_sections, plan_terms, plan_languages, plan_authors, plan_avatars,
    plan_archive, plan_masthead, plan_leaderboard, plan_board, plan_search, plan_404, plan_static_pages,
    plan_assets, plan_feeds, plan_send, plan_chrome, plan_newsletter, plan_redirects,
    plan_events, plan_bridge,
]


def new_planner(views: Views, theme: Theme, root: Path) -> Planner:
    """An empty plan with the build's image facts (docs/images.md), for `plan_site` and for
    `masthead serve`'s first pass, so both plan pictures and social cards alike."""
    plan = Planner(views, theme, root)
    plan.pictures = views.pictures = Pictures(root)
    return plan


def plan_site(views: Views, theme: Theme, root: Path, memo: Path | None = None, options: str = "",
              between: Callable[[], None] | None = None) -> Planner:
    """Every file of the site; with `memo` (the folder of the last build's plan memo, see
    `memo.py`) and the build's `options`, units planned from the same inputs are taken over.
    `between` is called before each provider (`masthead serve` stops a plan a newer save
    made useless by raising there)."""
    plan = new_planner(views, theme, root)
    if memo is not None:
        plan.store = open_memo(plan, memo, global_signature(plan, options))
        plan.memo = plan.store.entries
    for provider in PROVIDERS:
        if between is not None:
            between()
        provider(plan)
    plan.claim_kept()
    plan_sitemap(plan)
    return plan
