"""Page specs (site/specs.py): every page's key and context come from its declared inputs.

How reads are checked: the sample magazine is planned with `Planner.add_page` watched, so
every spec of every page type is collected. Each spec is then planned again in a fresh
planner with its inputs behind `Recording`, a mapping that notes each name read, and its page
is rendered. A name read that was not declared is a KeyError (the mapping has no such name);
a declared name that rendering never read is a dead input, reported by name. What a context
could read besides its inputs is closed off in two more ways: `check_context` refuses a
function with a closure or default arguments when the page is planned (so no `Planner`,
`Views` or `Story` can ride in with it), and the test looks at the globals each context's
code names and at the cells of its `late` function, and fails on a planner, views, magazine
or story found there.
"""

from __future__ import annotations

import dataclasses
import shutil
import types
from datetime import timedelta
from pathlib import Path
from typing import Any, Iterator, Mapping

import pytest

from masthead.domain import urls
from masthead.domain.magazine import Magazine
from masthead.domain.stories import Story
from masthead.site.build import BuildReport, load_and_plan
from masthead.site.feeds import EntryInputs, entry_key, entry_of
from masthead.site.plan import Planner
from masthead.site.specs import PageContext, PageSpec, Shared, check_context
from masthead.site.story_pages import BodyRef
from masthead.site.views import CardFrame, CardInputs, Views, card_key, card_view

from ..conftest import NOW, REPO

FORBIDDEN = (Planner, Views, Magazine, Story)


class Recording(Mapping[str, Any]):
    """A spec's inputs, noting every name read."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data, self.read = data, set()

    def __getitem__(self, name: str) -> Any:
        value = self.data[name]  # an undeclared name: KeyError, as it should be
        self.read.add(name)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Planner, list[PageSpec]]:
    """The sample magazine planned from scratch, and every page spec its providers made."""
    root = tmp_path_factory.mktemp("specs-sample")
    for name in ("content", "contributors", "site_config", "theme"):
        shutil.copytree(REPO / name, root / name)
    specs: list[PageSpec] = []
    original = Planner.add_page

    def watched(self: Planner, spec: PageSpec) -> None:
        specs.append(spec)
        original(self, spec)

    patch = pytest.MonkeyPatch()
    patch.setattr(Planner, "add_page", watched)
    try:
        _, _, plan = load_and_plan(root, BuildReport(root / "site"), 1, now=NOW, preview=False, url=None,
                                   theme_dir=None, memo=None, options="")
    finally:
        patch.undo()
    return plan, specs


def render_recorded(plan: Planner, spec: PageSpec) -> tuple[set[str], bytes]:
    """Plan `spec` again with recorded inputs, render its page: the names read, and the bytes."""
    inputs = Recording(spec.inputs)
    probe = Planner(plan.views, plan.theme, plan.root)
    probe.pictures = plan.pictures
    probe.add_page(dataclasses.replace(spec, inputs=inputs))
    inputs.read.clear()  # the key reads every input; only the context's reads count
    data = probe.jobs[0].make()
    return inputs.read, data


def test_every_page_type_reads_exactly_its_declared_inputs(planned: tuple[Planner, list[PageSpec]]) -> None:
    plan, specs = planned
    templates = {s.template for s in specs}
    assert {"home.html", "list.html", "author.html", "story.html", "terms.html", "archive.html", "masthead.html",
            "leaderboard.html", "board.html", "search.html", "404.html", "page.html", "send.html",
            "newsletter.html", "events.html", "event.html"} <= templates
    jobs = {j.path: j for j in plan.jobs}
    seen: set[tuple[str, str]] = set()
    for spec in specs:
        kind = (spec.template, spec.context.__qualname__)
        if kind in seen and spec.template not in ("story.html", "list.html"):
            continue  # one of each small page type; every story and list page (their inputs vary)
        seen.add(kind)
        read, data = render_recorded(plan, spec)
        dead = set(spec.inputs) - read
        assert not dead, f"{spec.path}: declared but never read: {sorted(dead)}"
        assert data == jobs[urls.output_file(spec.path)].make(), spec.path  # the same page as the build's


def _forbidden_in(value: Any) -> bool:
    if isinstance(value, FORBIDDEN):
        return True
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(_forbidden_in(v) for v in value)
    if isinstance(value, dict):
        return any(_forbidden_in(v) for v in value.values())
    return False


def _names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names


def test_contexts_carry_no_planner_views_or_story(planned: tuple[Planner, list[PageSpec]]) -> None:
    plan, specs = planned
    for fn in {s.context for s in specs}:
        check_context(fn)  # no closure, no defaults
        for name in _names(fn.__code__):
            assert not _forbidden_in(fn.__globals__.get(name)), f"{fn.__qualname__} reads the global {name}"
    for spec in specs:
        context = spec.context(spec.inputs, plan.shared(spec.lang))
        assert isinstance(context, PageContext)
        for cell in (context.late.__closure__ or ()) if context.late else ():
            assert not _forbidden_in(cell.cell_contents), f"{spec.path}: its late function holds {cell.cell_contents!r}"


def _reads_undeclared(inputs: Any, shared: Shared) -> PageContext:
    return PageContext(inputs["title"], {"heading": inputs["heading"]})


def _reads_half(inputs: Any, shared: Shared) -> PageContext:
    return PageContext(inputs["title"], {})


def test_an_undeclared_read_a_dead_input_and_a_closure_are_caught(planned: tuple[Planner, list[PageSpec]]) -> None:
    plan, _ = planned
    with pytest.raises(KeyError, match="heading"):
        render_recorded(plan, PageSpec("x/", "page.html", "test", "en", "page", {"title": "X"}, _reads_undeclared))
    read, _ = render_recorded(plan, PageSpec("y/", "page.html", "test", "en", "page",
                                             {"title": "Y", "story": "never read"}, _reads_half))
    assert read == {"title"}  # the test above reports "story" as dead
    views = plan.views

    def closes_over(inputs: Any, shared: Shared) -> PageContext:
        return PageContext(views.stories[0].title, {})

    with pytest.raises(TypeError, match="no closure"):
        plan.add_page(PageSpec("z/", "page.html", "test", "en", "page", {}, closes_over))


def test_the_key_follows_every_input(planned: tuple[Planner, list[PageSpec]]) -> None:
    plan, specs = planned
    spec = next(s for s in specs if s.template == "list.html" and len(s.inputs["cards"]) > 1)

    def key(inputs: dict[str, Any]) -> str:
        probe = Planner(plan.views, plan.theme, plan.root)
        probe.add_page(dataclasses.replace(spec, inputs=inputs))
        return probe.jobs[0].key

    base = key(dict(spec.inputs))
    assert key(dict(spec.inputs, cards=spec.inputs["cards"][::-1])) != base
    assert key(dict(spec.inputs, number=spec.inputs["number"] + 1)) != base
    assert key(dict(spec.inputs, heading=spec.inputs["heading"] + "!")) != base
    assert key(dict(spec.inputs)) == base


# --- cards and feed entries ---------------------------------------------------------------------

def _changed(value: Any) -> Any:
    """Another value of the same kind."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if hasattr(value, "tzinfo"):
        return value + timedelta(days=1)
    if isinstance(value, tuple) and value and isinstance(value[0], tuple):
        return value + (("zoe", "Zoe Extra"),) if len(value[0]) == 2 and value[0][0] != "zoe" else value[:-1]
    if isinstance(value, tuple):
        return value + ("extra",)
    if dataclasses.is_dataclass(value):
        return dataclasses.replace(value, width=value.width + 1)  # type: ignore[type-var]
    raise AssertionError(f"no change known for {value!r}")


def test_a_card_is_made_from_its_inputs_alone(planned: tuple[Planner, list[PageSpec]]) -> None:
    plan, _ = planned
    import inspect

    params = list(inspect.signature(card_view).parameters.values())
    assert [p.annotation for p in params] == ["CardInputs", "str", "CardFrame"]
    views = plan.views
    story = next(s for s in views.stories if s.cover and "://" not in s.cover and s.tags and s.places)
    base = views.card_inputs(story)
    assert base.cover_facts is not None  # the image pipeline knows the cover
    frame = CardFrame(views)
    view = card_view(base, card_key(base, "ctx"), frame)
    assert view == dict(views.card(story), key=view["key"])
    for name in CardInputs._fields:
        other = base._replace(**{name: _changed(getattr(base, name))})
        assert card_key(other, "ctx") != card_key(base, "ctx"), name
        changed = card_view(other, "k", frame)
        assert changed != dict(view, key="k"), f"changing {name} leaves the card as it was"


def test_a_feed_entry_is_made_from_its_inputs_alone(planned: tuple[Planner, list[PageSpec]]) -> None:
    plan, _ = planned
    story = next(s for s in plan.views.stories if s.tags and s.links) if any(
        s.links for s in plan.views.stories) else plan.views.stories[0]
    from masthead.site.feeds import entry_inputs

    base = entry_inputs(plan, story, full=True)
    t = plan.theme.translator
    entry = entry_of(base, str(plan.root), plan.settings, t)
    assert entry.content_html
    for name in EntryInputs._fields:
        value = getattr(base, name)
        if name == "body":
            other = base._replace(body=None)
        elif name == "links":
            other = base._replace(links=tuple((target, "elsewhere/") for target, _ in value) or (("x.md", None),))
        else:
            other = base._replace(**{name: _changed(value)})
        assert entry_key(other) != entry_key(base), name
        if name == "links" and not value:
            continue  # a link the body does not make shows nowhere; its key still moves
        assert entry_of(other, str(plan.root), plan.settings, t) != entry, name
    assert isinstance(base.body, BodyRef)


def test_a_unit_is_taken_over_only_while_its_inputs_are_equal(planned: tuple[Planner, list[PageSpec]]) -> None:
    from masthead.site.lists import list_specs

    plan, _ = planned
    keys = tuple(plan.views.card_keys()[s.source] for s in plan.views.stories[:5])
    unit = {"base": "probe/", "template": "list.html", "owner": "test", "lang": "en", "kind": "tag", "per_page": 2,
            "cards": keys, "lastmods": ("2026-01-01", "2026-01-02", "2026-01-03"),
            "page": {"heading": "Probe", "intro": "", "feeds": None, "own": {}, "localised": False, "versions": None}}
    first = Planner(plan.views, plan.theme, plan.root)
    first.add_unit("list:probe/", "test", unit, list_specs)
    assert [j.path for j in first.jobs] == ["probe/index.html", "probe/page/2/index.html", "probe/page/3/index.html"]

    def again(inputs: dict[str, Any]) -> Planner:
        p = Planner(plan.views, plan.theme, plan.root)
        p.memo = dict(first.units)
        p.add_unit("list:probe/", "test", inputs, list_specs)
        return p

    same = again(dict(unit))
    assert not same.jobs and same.kept == [first.units["list:probe/"]]
    for name, value in (("cards", keys[::-1]), ("per_page", 3), ("page", dict(unit["page"], heading="Other"))):
        moved = again(dict(unit, **{name: value}))
        assert moved.jobs and not moved.kept, name
