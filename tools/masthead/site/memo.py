"""The plan memo: which units the last build planned, from which signatures, into which files.

Kept beside the published site (`.<site>.masthead/plan.pickle`) and written only after the
site was published, so it describes what the site holds. It is valid only while everything
all pages share is the same: the site's settings and views, the theme, masthead's code and
the build's options (`global_signature`). A memo that does not match the site's manifest is
not trusted either: the build then plans everything (`build.build_site`).
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

from masthead.paths import code_digest

from .plan import Planner, Unit, digest
from .publish import write_file

MEMO = "plan.pickle"
VERSION = 1


def global_signature(plan: Planner, options: str) -> str:
    """What every page depends on besides its own unit's inputs (worked out once per plan)."""
    if plan.signature is not None:
        return plan.signature
    settings = plan.settings
    languages = sorted(set(plan.views.languages) | set(settings.languages))
    plan.signature = digest((VERSION, code_digest(), plan.theme.digest, repr(settings), options, plan.views.preview,
                             [plan.site(lang)["key"] for lang in languages]))
    return plan.signature


def load_memo(home: Path, signature: str) -> dict[str, Unit]:
    try:
        with open(home / MEMO, "rb") as fh:
            saved_signature, units = pickle.load(fh)
    except (OSError, pickle.PickleError, EOFError, ValueError, TypeError, AttributeError):
        return {}
    return units if saved_signature == signature else {}


def save_memo(home: Path, signature: str, units: dict[str, Unit]) -> None:
    write_file(home, MEMO, pickle.dumps((signature, units), protocol=pickle.HIGHEST_PROTOCOL))


def forget_memo(home: Path) -> None:
    (home / MEMO).unlink(missing_ok=True)


def stale(memo_units: list[Unit], published: dict[str, Any]) -> bool:
    """Whether a kept unit's files are not what the site holds (the memo is out of date)."""
    return any(published.get(path) != key for _, _, entries in memo_units for path, key, _, _ in entries)
