"""The editorial desk's workflow: check, summarise, accept and decline submissions in Git.

This is where the Git adapter, the loaders and the pure `domain.review`/`domain.desk` meet;
the commands `pr-summary`, `review`, `accept`, `decline` and `desk` are thin layers on it.
Nothing here touches the work tree except `accept`, which moves `main` forward where it is
checked out, and only when that work tree is clean.
"""

from __future__ import annotations

import json
import logging
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Iterator

from masthead import gitrepo, state
from masthead.domain.desk import Desk, Pending, schedule, split_pending, week_share
from masthead.domain.magazine import Magazine
from masthead.domain.problems import Problem, Severity, UsageError
from masthead.domain.promises import Digest, Promise, digest
from masthead.domain.review import Change, Decline, Summary, merge_message, summarise
from masthead.sources.magazine import load_magazine

log = logging.getLogger(__name__)
DESK_CACHE = "desk-v1.json"
EDITOR_EMAIL = "{handle}@editors.masthead.invalid"  # Git wants an address; this one is no one's mailbox


class NotAccepted(UsageError):
    """`accept` refused; the message says why and what to do."""


# --- reading a magazine from the work tree or from any commit ----------------------------

def load_promises(magazine: Magazine | None) -> dict[str, Promise] | None:
    """The promises a magazine keeps; None when it keeps none (nothing to judge stories by)."""
    return dict(magazine.promises) if magazine is not None and magazine.promises else None


@contextmanager
def checkout_of(root: Path, treeish: str) -> Iterator[Path]:
    """A temporary folder holding the files of `treeish`; the work tree is never touched. Its
    build state is its own, fresh, and gone with it: nothing found in one tree is trusted for
    another."""
    with tempfile.TemporaryDirectory(prefix="masthead-tree-") as tmp, \
            tempfile.TemporaryDirectory(prefix="masthead-state-") as own_state:
        state.use(Path(tmp), Path(own_state))
        try:
            gitrepo.export_tree(root, treeish, Path(tmp))
            yield Path(tmp)
        finally:
            state.use(Path(tmp), None)


@dataclass
class Tree:
    """One state of the magazine: its stories, the problems found, its promises."""

    magazine: Magazine | None
    problems: list[Problem]
    promises: dict[str, Promise] | None


def read_tree(folder: Path, use_cache: bool = False) -> Tree:
    """What `masthead check` finds in the magazine at `folder` (promises included)."""
    magazine, problems = load_magazine(folder, use_cache=use_cache)
    return Tree(magazine, problems, load_promises(magazine))


def read_ref(root: Path, treeish: str) -> Tree:
    with checkout_of(root, treeish) as folder:
        return read_tree(folder)


# --- summaries ------------------------------------------------------------------------------

def changes_between(root: Path, base: str, head: str) -> list[Change]:
    return [Change(status, path) for status, path in gitrepo.changed_files(root, base, head)]


def summary_of(changes: list[Change], head: Tree, base: Tree | None, now: datetime) -> Summary:
    problems = head.problems
    if head.magazine is None:
        errors = sum(p.severity is Severity.ERROR for p in problems)
        return Summary((), (), tuple(c.path for c in changes), tuple(problems), 0, errors, len(problems) - errors)
    return summarise(changes, head.magazine, base.magazine if base else None, problems, now, head.promises)


def summarise_work_tree(root: Path, base: str, now: datetime) -> Summary:
    """The submission checked out at `root` (HEAD, e.g. a pull request's merge commit) against `base`."""
    changes = changes_between(root, base, "HEAD")
    return summary_of(changes, read_tree(root, use_cache=True), read_ref(root, base), now)


def summarise_ref(root: Path, base: str, head: str, now: datetime) -> Summary:
    """The submission `head` against `base`, both read from Git."""
    return summary_of(changes_between(root, base, head), read_ref(root, head), read_ref(root, base), now)


# --- submissions waiting on this machine ------------------------------------------------

def branch_name(root: Path, name: str) -> str:
    """`submissions/x` as given, or `x` completed to `submissions/x`."""
    for candidate in (name.removeprefix("refs/heads/"), f"submissions/{name}"):
        if gitrepo.branch_exists(root, candidate):
            return candidate
    raise UsageError(f"no branch named '{name}'; 'masthead desk' lists the submissions waiting")


def merged_state(root: Path, branch: str, main: str) -> tuple[str, list[str]]:
    """What to check for `branch`: the tree it would make on `main`, or itself when it conflicts."""
    tree, conflicts = gitrepo.merged_tree(root, branch, main)
    return (tree, []) if tree is not None else (gitrepo.resolve_commit(root, branch), conflicts)


def review_branch(root: Path, branch: str, main: str, now: datetime,
                  base: Tree | None = None) -> tuple[Summary, list[str]]:
    """The branch as it would land on `main`: its summary and the paths that conflict, if any.
    `base` is `main` already read, when the caller reviews several branches."""
    treeish, conflicts = merged_state(root, branch, main)
    base = base or read_ref(root, main)
    return summary_of(changes_between(root, main, branch), read_ref(root, treeish), base, now), conflicts


class DeskCache:
    """Check results by (main, branch tip): a branch is checked again only when either moves."""

    def __init__(self, root: Path) -> None:
        self.path = state.for_root(root).folder / DESK_CACHE
        try:
            self.entries: dict[str, dict[str, object]] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.entries = {}

    def save(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.entries, indent=1), encoding="utf-8")
            tmp.replace(self.path)
        except OSError as exc:  # a cache that cannot be written only costs time
            log.info("desk cache not saved: %s", exc)


def pending_branches(root: Path, main: str, now: datetime, prefix: str = "submissions/") -> list[Pending]:
    """Every `submissions/*` branch not merged into `main`, checked as it would land."""
    cache = DeskCache(root)
    main_sha = gitrepo.resolve_commit(root, main)
    out = []
    base: Tree | None = None
    for info in gitrepo.submission_branches(root, prefix, main):
        if info.merged:
            continue
        key = f"{main_sha}:{info.tip}"
        entry = cache.entries.get(key)
        if entry is None:
            base = base or read_ref(root, main)
            summary, conflicts = review_branch(root, info.name, main, now, base)
            entry = {"title": summary.title, "authors": [a.name for a in summary.authors],
                     "errors": summary.errors, "warnings": summary.warnings, "conflict": bool(conflicts)}
            cache.entries[key] = entry
        out.append(Pending(info.name, str(entry["title"]), tuple(entry["authors"]),  # type: ignore[arg-type]
                           info.arrived, int(entry["errors"]), int(entry["warnings"]),  # type: ignore[call-overload]
                           bool(entry["conflict"]), declined=gitrepo.decline_reason(root, info.name)))
    live = {f"{main_sha}:{b.tip}" for b in gitrepo.submission_branches(root, prefix, main)}
    cache.entries = {k: v for k, v in cache.entries.items() if k in live}
    cache.save()
    return out


# --- accept and decline ----------------------------------------------------------------

def editor_named(handle: str, magazine: Magazine | None) -> str:
    """The editor's name from the registry; refuses anyone who is not on the board."""
    people = magazine.people if magazine else {}
    person = people.get(handle)
    if person is None:
        raise UsageError(f"'{handle}' is not in contributors/; pass --editor with your handle "
                         f"(the file name of contributors/<handle>.yml)")
    if not person.is_editor:
        raise UsageError(f"'{handle}' is not an editor: only contributors with the role 'editor' "
                         f"accept or decline (add it to roles in {person.source})")
    return person.name


@dataclass(frozen=True)
class Accepted:
    commit: str
    summary: Summary
    message: str


def accept(root: Path, name: str, editor: str, main: str, now: datetime, strict: bool = False,
           when: datetime | None = None) -> Accepted:
    """Merge a submission into `main` with a merge commit naming the editor and thanking the authors.

    Refuses, changing nothing, when the result would not pass the check, when it conflicts,
    or when `main` is checked out with uncommitted changes."""
    branch = branch_name(root, name)
    checked_out = gitrepo.worktree_of(root, main)
    if checked_out is not None and (dirty := gitrepo.dirty_files(checked_out)):
        raise NotAccepted(f"not accepted: {checked_out} has uncommitted changes to "
                          f"{', '.join(dirty[:5])}; commit or stash them, then accept again")
    base = read_ref(root, main)
    editor_name = editor_named(editor, base.magazine)
    summary, conflicts = review_branch(root, branch, main, now, base)
    if conflicts:
        raise NotAccepted(f"not accepted: '{branch}' conflicts with '{main}' in {', '.join(conflicts)}; "
                          "ask the author to update the branch, or merge it by hand")
    blocking = summary.errors + (summary.warnings if strict else 0)
    if blocking:
        shown = [p for p in summary.problems if p.severity is Severity.ERROR or strict]
        elsewhere = blocking - len(shown)
        raise NotAccepted(f"not accepted: the check finds {blocking} problem(s) in '{branch}' merged into '{main}'"
                          + (f", {elsewhere} of them in files the submission does not touch" if elsewhere else "")
                          + "".join(f"\n  {p.text()}" for p in shown[:20])
                          + f"\nrun 'masthead review {branch}' for the details")
    message = merge_message(branch, summary, editor, editor_name)
    commit = gitrepo.merge_into(root, branch, message, editor_name, EDITOR_EMAIL.format(handle=editor), main, when)
    return Accepted(commit, summary, message)


def decline(root: Path, name: str, reason: str, editor: str, main: str, today: date | None = None,
            when: datetime | None = None) -> tuple[str, Decline]:
    """Record why a submission is not published, as a note on its tip; the branch stays."""
    branch = branch_name(root, name)
    reason = reason.strip()
    if not reason:
        raise UsageError("give the author a reason: --reason \"...\" (the author's receipt shows it)")
    tip = gitrepo.resolve_commit(root, branch)
    if gitrepo.is_merged(root, branch, main):  # from the submissions section
        raise UsageError(f"'{branch}' is already merged into '{main}'; a published story is withdrawn "
                         "with a new commit, not declined")
    magazine = read_ref(root, main).magazine
    editor_name = editor_named(editor, magazine)
    if today is None:
        moment = when or datetime.now(timezone.utc)
        today = magazine.local_day(moment) if magazine else moment.date()
    record = Decline(reason, editor, today)
    gitrepo.write_note(root, tip, record.to_note(), editor_name, EDITOR_EMAIL.format(handle=editor), when)
    return branch, record



# --- the desk -------------------------------------------------------------------------------

def main_tree(root: Path, main: str) -> Tree:
    """The magazine on `main`: the work tree when it has `main` checked out clean, else from Git."""
    checked_out = gitrepo.worktree_of(root, main)
    if checked_out is not None and checked_out.resolve() == root.resolve() and not gitrepo.dirty_files(root):
        return read_tree(root, use_cache=True)
    return read_ref(root, main)


def promise_digest(root: Path, tree: Tree, today: date) -> tuple[Digest | None, str]:
    """Overdue and due-soon promises on main (None when the magazine keeps none), and a note
    when delivery dates could not be read from history."""
    if not tree.promises or tree.magazine is None:
        return None, ""
    from masthead.sources.promise_history import activity, deliveries
    from masthead.sources.promises import load_windows

    windows = load_windows(root)
    rows, landing = deliveries(root, tree.magazine, windows, today, deepen=False)
    return digest(rows, today, windows, activity(root, tree.magazine, today)), landing.note


def build_desk(root: Path, main: str, now: datetime | None = None, today: date | None = None,
               pulls: list[Pending] | None = None, notes: tuple[str, ...] = ()) -> Desk:
    """Everything the editor's desk shows, as of `now`, or of the end of `today` (site time),
    or of the clock."""
    tree = main_tree(root, main)
    if tree.magazine is None:
        raise UsageError(f"the magazine on '{main}' cannot be read; run 'masthead check' and fix the settings")
    magazine = tree.magazine
    tz = magazine.settings.timezone
    if now is None:
        now = datetime.combine(today, time(23, 59, 59), tz) if today else datetime.now(timezone.utc)
    now = now.astimezone(tz)
    today = magazine.local_day(now)
    waiting, declined = split_pending(pending_branches(root, main, now) + list(pulls or []))
    plan = schedule(magazine.stories, today, magazine.local_day, magazine.settings.targets)
    promises, note = promise_digest(root, tree, today)
    return Desk(now, today, waiting, declined, plan, week_share(plan, magazine.people, magazine.settings.targets),
                promises, notes + ((note,) if note else ()), {h: p.name for h, p in magazine.people.items()})


def pending_pulls(repository: str, token: str, base: str, api_url: str) -> list[Pending]:
    """Open pull requests into `base` on GitHub, with the state of their checks."""
    from masthead.forge import Forge, open_pulls

    forge = Forge(repository, token, api_url, token_hint="the token's environment variable")
    return [Pending(f"#{p.number}", p.title, (p.author,), p.opened, checked=False, url=p.url, checks=p.checks)
            for p in open_pulls(forge, base)]
