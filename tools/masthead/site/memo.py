"""The plan memo: which units the last build planned, from which signatures, into which files.

Kept in the build state (`masthead/state.py`), one table per site folder, and written only
after the site was published. It is valid only while everything all pages share is the same:
the site's settings and views, the theme, masthead's code, the output libraries' versions and
the build's options (`global_signature`).
A memo that does not match the site's manifest (a build stopped between publishing and saving
the memo) is not trusted: the build then plans everything (`build.build_site`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from masthead import state
from masthead.store import DeltaStore

from .plan import Planner, Unit, digest

VERSION = 3  # 3: unit signatures are digests of declared inputs (site/specs.py)


def global_signature(plan: Planner, options: str) -> str:
    """What every page depends on besides its own unit's inputs (worked out once per plan)."""
    if plan.signature is not None:
        return plan.signature
    settings = plan.settings
    languages = sorted(set(plan.views.languages) | set(settings.languages))
    plan.signature = digest((VERSION, state.code_signature(), plan.theme.digest, repr(settings), options, plan.views.preview,
                             [plan.site(lang)["key"] for lang in languages]))
    return plan.signature


def _table(plan: Planner, records: Path, signature: str) -> state.Table:
    """The memo of the site whose records are in `records` (`freshness.records_of`)."""
    return state.for_root(plan.root).table(f"plan:{records.name}", signature)


def open_memo(plan: Planner, records: Path, signature: str) -> DeltaStore:
    """The last build's units (empty unless they were planned under `signature`)."""
    return DeltaStore(_table(plan, records, signature)).read()


def save_memo(plan: Planner, records: Path, options: str) -> None:
    """This build's units, for the next; after one edit only the units planned again are
    written (see masthead/store.py)."""
    store = plan.store or DeltaStore(_table(plan, records, global_signature(plan, options)))
    store.replace(plan.units)
    store.save()


def stale(memo_units: list[Unit], published: dict[str, Any], damaged: set[str] = set()) -> bool:
    """Whether a kept unit's files are not what the site holds (the memo is out of date, or
    one of them was deleted or changed since it was published)."""
    return any(published.get(path) != key or path in damaged
               for _, _, entries in memo_units for path, key, _, _ in entries)
