"""Links in a rendered body that need the page's place: links from the site's root, and the
files a story links to, copied beside its page (sources/links.py finds and checks them).

A link from the root (`/culture/x/`, `/about/`) means the magazine's own page, wherever the
magazine is served: it is made relative to the page (`../../culture/x/`), so a magazine
published below a path (https://example.org/gazette/) keeps it; in a feed it becomes absolute.
"""

from __future__ import annotations

import os
import posixpath
import re
from typing import TYPE_CHECKING

from masthead.domain.stories import Story
from masthead.sources.files import copy_reader, inside

from .plan import Job, key_of

if TYPE_CHECKING:
    from .plan import Planner
    from .views import Views

ROOTED_RE = re.compile(r'(<a\s[^>]*?href=")/(?!/)([^"]*)"')


def rewrite_rooted(body: str, rel_root: str) -> str:
    """`href="/x/"` -> `href="{rel_root}x/"`: the magazine's root, from this page."""
    if 'href="/' not in body:
        return body
    return ROOTED_RE.sub(lambda m: f'{m.group(1)}{rel_root}{m.group(2)}"', body)


def story_links(views: Views, s: Story, versions: dict[str, list[Story]]) -> dict[str, str | None]:
    """Each story `s` links to (below content/) -> the address to link: the version in `s`'s
    language when the target has one (a reader of the Russian story follows links into the
    Russian magazine), else the target itself; None for a story not shown."""
    out: dict[str, str | None] = {}
    for target in s.links:
        story = views.by_content.get(target)
        if story is not None and story.lang != s.lang:
            mine = [v for v in versions.get(story.source, ()) if v.lang == s.lang]
            story = mine[0] if mine else story
        out[target] = views.story_url(story.content_path) if story is not None else None
    return out


def plan_downloads(plan: Planner, s: Story) -> None:
    """The files the story links to, copied beside its page (an SVG through svg-hush)."""
    base = plan.views.paths[s.source]
    folder = os.path.dirname(os.path.join(plan.root, s.source))
    for name in s.downloads:
        source = inside(plan.root, os.path.join(folder, name))  # links followed: never out of the repository
        if source is None or not source.is_file():
            continue  # reported by `check` (sources/links.py)
        st = source.stat()
        plan.add(Job(posixpath.normpath(base + name), key_of("copy", str(source), st.st_mtime_ns, st.st_size),
                     copy_reader(source, name)), s.source)
