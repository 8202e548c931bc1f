"""Page specs: one object per page, whose declared inputs give both its key and its context.

A provider describes each HTML page as a `PageSpec`: where it goes (`path`), its `template`,
its `owner` (the source that claims the path), `lang`, `kind`, what the sitemap says of it
(`lastmod`, `indexed`), and its **inputs**: a mapping of names to plain data (scalars,
tuples, and views that stand for themselves by their `key`, such as a card's key). The
planner derives from a spec

- the job's key: a digest of the template, the page's address and language, the frame every
  page of its language shares (the site view's key: settings, theme, languages; see
  `Planner.site`) and the compacted inputs (`plan.compact`); and
- the template's context, made only when the page is written: the spec's `context` function
  is called with the inputs, and only the inputs, plus a `Shared` door to what the frame key
  already covers (the page language's translator, the settings, card views by key).

So a page cannot show something its key does not stand for: whatever the context reads
either is an input or sits behind `Shared`. `check_context` enforces the rule where it can
be enforced cheaply, at planning time: a context function is a plain module-level function
(no closure, no default arguments), so it cannot carry a `Planner`, `Views` or `Story` in
with it. The tests (tests/core/test_specs.py) go further for every page type of the sample
magazine: they call each context with its inputs behind a recording mapping, and fail on a
name read that was not declared (a KeyError) and on a declared name never read (a dead input
that only makes the key change for nothing).

A *unit* (a story's page, a list with its pages) is planned by `Planner.add_unit` from one
inputs object it declares once; its page specs are derived from those inputs by a function
that follows the same rule, and the unit's signature in the plan memo is the digest of the
inputs (`memo.py`).
"""

from __future__ import annotations

import types
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

if TYPE_CHECKING:
    from .plan import Planner

View = dict[str, Any]
Inputs = Mapping[str, Any]
Late = Callable[[dict[str, Any]], None]


@dataclass(slots=True)
class PageContext:
    """What a spec's context function returns: the `page` view's own facts, the template's
    own names (`own`), and `late`, which fills the context at render time (bodies)."""

    title: str
    own: dict[str, Any]
    description: str = ""
    feeds: list[View] | None = None
    image: tuple[Any, ...] | None = None
    jsonld: dict[str, Any] | None = None
    preview: bool = False
    alternates: list[View] | None = None
    late: Late | None = None


ContextFn = Callable[[Inputs, "Shared"], PageContext]


@dataclass(slots=True)
class PageSpec:
    """One HTML page: its place, its template, and what it reads (see the module's docstring)."""

    path: str
    template: str
    owner: str
    lang: str
    kind: str
    inputs: Inputs
    context: ContextFn
    lastmod: str | None = None
    indexed: bool = True  # in the sitemap, and `lastmod` kept
    root: str | None = None  # the links' root, when not the page's depth (the 404 page)


SpecsFn = Callable[[Any], Iterable[PageSpec]]

_CHECKED: set[int] = set()


def check_context(fn: Callable[..., Any]) -> None:
    """Refuse a context (or specs) function that could carry state in with it: it must be
    a plain function with no closure and no default arguments. Checked once per function."""
    if id(fn) in _CHECKED:
        return
    if not isinstance(fn, types.FunctionType):
        raise TypeError(f"a page spec's function must be a plain function, not {type(fn).__name__} ({fn!r})")
    if fn.__closure__ or fn.__defaults__ or fn.__kwdefaults__:
        raise TypeError(f"{fn.__module__}.{fn.__qualname__}: a page spec's function may read only its inputs "
                        "and `Shared`: no closure and no default arguments (make it a module-level function "
                        "and declare what it reads as inputs)")
    _CHECKED.add(id(fn))


class Shared:
    """What every page of one language may read besides its inputs: all of it is covered by
    the frame key every page's key includes (the site view's key: settings, theme, the
    magazine's languages) or by masthead's code, so reading it needs no declaration.

    Cards are looked up by the keys a spec declares; nothing here hands out a story, a
    person or the planner."""

    __slots__ = ("_plan", "lang", "t")

    def __init__(self, plan: "Planner", lang: str) -> None:
        self._plan = plan
        self.lang = lang
        self.t = plan.theme.translator(lang)

    @property
    def settings(self) -> Any:
        return self._plan.settings

    @property
    def root(self) -> str:
        """The repository's folder, for files an input names by path and digest (bodies)."""
        return str(self._plan.root)

    def card(self, key: str) -> View:
        """The card view whose key is `key` (a card key is the digest of its `CardInputs`)."""
        return self._plan.views.card_by_key(key)

    def translator(self, lang: str) -> Callable[..., str]:
        return self._plan.theme.translator(lang)

    def date_text(self, day: Any, lang: str) -> str:
        return str(self._plan.theme.date_text(day, lang))

    def local_day(self, when: Any) -> Any:
        return self._plan.views.magazine.local_day(when)

    def counterparts(self, path: str, lang: str, only: list[str] | None = None) -> list[View]:
        return self._plan.counterparts(path, lang, only)

    def alternates(self, path: str, lang: str, versions: dict[str, str] | None = None) -> list[View]:
        return self._plan.alternates(path, lang, versions)

    def feeds_of(self, list_path: str, title: str) -> list[View]:
        return self._plan.feeds_of(list_path, title)

    @property
    def modern(self) -> tuple[str, ...]:
        """The image formats the pipeline makes besides the fallback (its environment)."""
        pictures = self._plan.pictures
        return tuple(pictures.modern) if pictures is not None else ()


def given(inputs: Inputs, shared: Shared) -> PageContext:
    """The context of a page whose inputs are its context (small pages: the masthead, the
    board, an event): `title`, `own` and any of `PageContext`'s other fields, as declared."""
    return PageContext(**{name: inputs[name] for name in inputs})


def page_spec(path: str, template: str, owner: str, *, lang: str, kind: str, title: str,
         own: dict[str, Any] | None = None, lastmod: str | None = None, root: str | None = None,
         **facts: Any) -> PageSpec:
    """A spec for a page whose context is made at planning time (see `given`); `facts` are
    `PageContext`'s other fields (description, feeds, alternates, image, jsonld, preview)."""
    inputs: dict[str, Any] = {"title": title, "own": own or {}}
    inputs.update((name, value) for name, value in facts.items() if value is not None)
    indexed = kind != "404" and not facts.get("preview")
    return PageSpec(path, template, owner, lang, kind, inputs, given, lastmod=lastmod, indexed=indexed, root=root)
