"""The one module that imports GitPython: everything masthead asks of Git goes through here.

Sections, one per feature, each kept together:
  - common: opening the repository
  - submissions: branches and commits written without touching the work tree
  - promises: when a file first appeared on the main branch
  - editorial desk: listing, merging and annotating submission branches
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import git

from masthead.domain.problems import MastheadError


class GitError(MastheadError):
    """Git could not do what was asked; the message says what and what to do."""


# --- common -------------------------------------------------------------------------------

def open_repo(root: Path) -> git.Repo:
    try:
        return git.Repo(root)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise GitError(f"{root} is not a Git repository; run 'git init' there first") from None


# --- editorial desk -----------------------------------------------------------------------
# This section's imports sit here so that engineers editing other sections never collide.
import io  # noqa: E402
import tarfile  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import datetime  # noqa: E402

NOTES_REF = "refs/notes/masthead"  # where `masthead decline` keeps the editor's reason


@dataclass(frozen=True)
class BranchInfo:
    """A submission branch: its tip, when it arrived, and whether the main branch has it."""

    name: str
    tip: str
    arrived: datetime  # the oldest commit on it that the main branch does not have
    merged: bool


def resolve_commit(root: Path, ref: str) -> str:
    """The commit a branch, tag or commit id names; a clear error when there is none."""
    try:
        return open_repo(root).commit(ref).hexsha
    except (git.BadName, ValueError, git.GitCommandError):
        raise GitError(f"no branch or commit named '{ref}'; "
                       "'git branch --list \"submissions/*\"' lists the submissions") from None


def branch_exists(root: Path, name: str) -> bool:
    return name in {h.name for h in open_repo(root).heads}


def submission_branches(root: Path, prefix: str = "submissions/", main: str = "main") -> list[BranchInfo]:
    """Local branches under `prefix`, with their arrival time; sorted by name."""
    repo = open_repo(root)
    main_sha = repo.heads[main].commit.hexsha if main in {h.name for h in repo.heads} else None
    out = []
    for head in sorted(repo.heads, key=lambda h: h.name):
        if not head.name.startswith(prefix):
            continue
        tip = head.commit
        own = list(repo.iter_commits(f"{main_sha}..{tip.hexsha}" if main_sha else tip.hexsha))
        arrived = (own[-1] if own else tip).committed_datetime
        merged = bool(main_sha) and not own
        out.append(BranchInfo(head.name, tip.hexsha, arrived, merged))
    return out


def export_tree(root: Path, treeish: str, dest: Path) -> None:
    """Write the files of a commit or tree into `dest`, leaving the work tree and index alone."""
    buffer = io.BytesIO()
    open_repo(root).archive(buffer, treeish=treeish, format="tar")
    buffer.seek(0)
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=buffer) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dest, filter="data")
        else:  # Python before 3.11.4: git archive writes no links out of the tree anyway
            tar.extractall(dest)  # noqa: S202


def changed_files(root: Path, base: str, head: str = "HEAD") -> list[tuple[str, str]]:
    """(status, path) of every file `head` changes since it left `base` (a three-dot diff);
    renames appear as a deletion and an addition."""
    resolve_commit(root, base)
    resolve_commit(root, head)
    out = open_repo(root).git.diff("--name-status", "--no-renames", "-z", f"{base}...{head}")
    parts = [p for p in out.split("\0") if p]
    return [(parts[i][0], parts[i + 1]) for i in range(0, len(parts) - 1, 2)]


def merged_tree(root: Path, branch: str, main: str = "main") -> tuple[str | None, list[str]]:
    """The tree `branch` merged into `main` would have, computed without a work tree;
    (None, conflicting paths) when the merge does not go cleanly."""
    status, out, err = open_repo(root).git.merge_tree(
        "--write-tree", "--name-only", "--no-messages", resolve_commit(root, main), resolve_commit(root, branch),
        with_extended_output=True, with_exceptions=False)
    lines = out.splitlines()
    if status == 0 and lines:
        return lines[0], []
    if status == 1 and lines:
        return None, [line for line in lines[1:] if line]
    raise GitError(f"git merge-tree failed: {err.strip() or out.strip()} (masthead needs Git 2.38 or later)")


def worktree_of(root: Path, branch: str) -> Path | None:
    """The work tree (the main one or a linked one) that has `branch` checked out, if any."""
    out = open_repo(root).git.worktree("list", "--porcelain")
    path = None
    for line in out.splitlines():
        if line.startswith("worktree "):
            path = Path(line[len("worktree "):])
        elif line == f"branch refs/heads/{branch}" and path is not None:
            return path
    return None


def dirty_files(path: Path) -> list[str]:
    """Tracked files with changes not committed in the work tree at `path`."""
    repo = open_repo(path)
    if not repo.head.is_valid():
        return []
    changed = {d.a_path for d in repo.index.diff(None)} | {d.a_path for d in repo.index.diff("HEAD")}
    return sorted(p for p in changed if p)


def _identity(name: str, email: str, when: datetime | None) -> dict[str, str]:
    env = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
           "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}
    if when is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when.isoformat()
    return env


def merge_into(root: Path, branch: str, message: str, name: str, email: str, main: str = "main",
               when: datetime | None = None) -> str:
    """Merge `branch` into `main` with a merge commit (never a fast-forward) and return it.

    The commit is made with plumbing, so it works whichever branch is checked out; when a
    work tree has `main` checked out it is moved forward there, and only if it is clean."""
    repo = open_repo(root)
    main_sha, branch_sha = resolve_commit(root, main), resolve_commit(root, branch)
    ancestor, _, _ = repo.git.merge_base("--is-ancestor", branch_sha, main_sha,
                                         with_extended_output=True, with_exceptions=False)
    if ancestor == 0:
        raise GitError(f"'{branch}' is already merged into '{main}'")
    tree, conflicts = merged_tree(root, branch, main)
    if tree is None:
        raise GitError(f"'{branch}' does not merge cleanly into '{main}': conflicts in {', '.join(conflicts)}; "
                       "ask the author to update the branch, or merge it by hand")
    checked_out = worktree_of(root, main)
    if checked_out is not None and (dirty := dirty_files(checked_out)):
        raise GitError(f"the work tree {checked_out} has '{main}' checked out with uncommitted changes "
                       f"({', '.join(dirty[:5])}); commit or stash them first")
    new = repo.git.commit_tree(tree, "-p", main_sha, "-p", branch_sha, "-m", message,
                               env=_identity(name, email, when))
    if checked_out is not None:
        # A fast-forward to the commit just made moves the branch, index and files together,
        # and fails (changing nothing) if main moved meanwhile.
        open_repo(checked_out).git.merge("--ff-only", "--quiet", new)
    else:
        repo.git.update_ref(f"refs/heads/{main}", new, main_sha)
    return str(new)


def write_note(root: Path, commit: str, text: str, name: str, email: str, when: datetime | None = None) -> None:
    """Attach `text` to `commit` under refs/notes/masthead, replacing an earlier note."""
    open_repo(root).git.notes("--ref", NOTES_REF, "add", "-f", "-m", text, commit,
                              env=_identity(name, email, when))


def read_note(root: Path, commit: str) -> str | None:
    try:
        return str(open_repo(root).git.notes("--ref", NOTES_REF, "show", commit))
    except git.GitCommandError:
        return None


def decline_reason(repo_root: Path, branch: str) -> str | None:
    """The editor's reason when the tip of `branch` was declined (`masthead decline`), else None.

    A commit pushed to the branch after the decline reopens it: the note sits on the old tip."""
    from masthead.domain.review import Decline  # domain is pure; imported here to keep the header untouched

    name = branch.removeprefix("refs/heads/")
    try:
        if not branch_exists(Path(repo_root), name):
            return None
        text = read_note(Path(repo_root), resolve_commit(Path(repo_root), name))
    except GitError:
        return None
    decline = Decline.from_note(text) if text else None
    return decline.reason if decline else None


# --- promises -----------------------------------------------------------------------------
# Delivery is read from history alone: the day a story's file first appeared on the main
# branch. A shallow clone lacks that history; it is deepened, or the caller is told why not.

@dataclass(frozen=True)
class FirstSeen:
    """When each file first appeared on the main branch; `added` is None when history is cut short."""

    added: dict[str, datetime] | None
    reason: str = ""


def main_commit(repo: git.Repo, branch: str) -> str | None:
    """The main branch's ref (local, else origin's); None in a repository with no commits yet."""
    for ref in (branch, f"origin/{branch}"):
        try:
            repo.git.rev_parse("--verify", "--quiet", f"{ref}^{{commit}}")
        except git.GitCommandError:
            continue
        return ref
    if not repo.head.is_valid():
        return None
    raise GitError(f"no branch '{branch}' here (nor origin/{branch}); set promises.branch in "
                   "site_config/magazine.yml to the branch stories are published from")


def is_shallow(repo: git.Repo) -> bool:
    return repo.git.rev_parse("--is-shallow-repository").strip() == "true"


def unshallow(repo: git.Repo) -> str:
    """Fetch the whole history of a shallow clone; returns what went wrong, or "" on success."""
    try:
        repo.git.fetch("--unshallow", "--quiet")
    except git.GitCommandError as exc:
        return (exc.stderr or str(exc)).strip().removeprefix("stderr: ").strip("'\n ")
    return "" if not is_shallow(repo) else "the fetch left the clone shallow"


def first_seen(root: Path, branch: str = "main", under: str = "content/", deepen: bool = True) -> FirstSeen:
    """For every file below `under`, the commit date at which it first appeared on `branch`, in one
    pass over the first-parent history (a merge counts on the day it landed). Renames keep the
    date of the original file, so moving a story does not re-deliver it."""
    repo = open_repo(root)
    ref = main_commit(repo, branch)
    if ref is None:
        return FirstSeen({})
    if is_shallow(repo):
        why = unshallow(repo) if deepen else "deepening was not asked for"
        if why:
            return FirstSeen(None, f"this is a shallow clone, so the day each story reached {branch} is "
                                   f"unknown ({why}); fetch the whole history: 'git fetch --unshallow', or "
                                   "'fetch-depth: 0' for actions/checkout")
    out = repo.git.log(ref, "--first-parent", "-m", "--diff-filter=AR", "--reverse", "-z", "--format=%x01%cI",
                       "--name-status", "--", under, strip_newline_in_stdout=False)
    added: dict[str, datetime] = {}
    tokens = iter(t.lstrip("\n") for t in out.split("\0"))
    when = None
    for token in tokens:
        if token.startswith("\x01"):
            when = datetime.fromisoformat(token[1:])
        elif token == "A" and when:
            added.setdefault(next(tokens), when)
        elif token.startswith("R") and when:
            old, new = next(tokens), next(tokens)
            added.setdefault(new, added.get(old, when))
    return FirstSeen(added)


def last_touched(root: Path, paths: list[str]) -> dict[str, datetime]:
    """The last commit date (any branch) of each of a few files; one log call for all of them."""
    if not paths:
        return {}
    repo = open_repo(root)
    if not repo.head.is_valid():
        return {}
    out = repo.git.log("--all", "-z", "--format=%x01%cI", "--name-only", "--", *paths,
                       strip_newline_in_stdout=False)
    found: dict[str, datetime] = {}
    when = None
    for token in (t.lstrip("\n") for t in out.split("\0")):
        if token.startswith("\x01"):
            when = datetime.fromisoformat(token[1:])
        elif token and when:
            found.setdefault(token, when)
    return found


def file_versions(root: Path, path: str, branch: str = "main") -> list[tuple[datetime, bytes]]:
    """Every version of one file on the main branch, oldest first (for the few editor files)."""
    repo = open_repo(root)
    ref = main_commit(repo, branch)
    if ref is None:
        return []
    out = repo.git.log(ref, "--first-parent", "-m", "--reverse", "--format=%H %cI", "--", path)
    versions = []
    for line in out.splitlines():
        sha, when = line.split(" ", 1)
        try:
            blob = repo.commit(sha).tree / path
        except KeyError:
            continue  # the commit deleted it
        versions.append((datetime.fromisoformat(when), blob.data_stream.read()))
    return versions


# --- submissions --------------------------------------------------------------------------
# Branches are written with plumbing only: blobs into the object store, a temporary index
# (GIT_INDEX_FILE) for the tree, commit-tree, and update-ref with the all-zero old value, a
# compare-and-swap that creates the branch only if it does not exist. The checked-out
# branch, the index and the working tree are never touched. A lock (a thread lock plus a file
# lock in the git directory, for other processes) serialises writers so concurrent
# submissions never race; the compare-and-swap would still refuse a second copy without it.
# This section's imports sit here so that engineers editing other sections never collide.
import fcntl  # noqa: E402
import io  # noqa: E402,F811
import os  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from typing import Iterator  # noqa: E402

from gitdb.base import IStream  # noqa: E402  (GitPython's own object store)

ZERO_SHA = "0" * 40
_WRITER = threading.Lock()


class BranchExistsError(GitError):
    """The branch is already there: someone (an earlier delivery) created it first."""


@contextmanager
def _submissions_lock(repo: git.Repo) -> Iterator[None]:
    with _WRITER, open(Path(repo.git_dir) / "masthead-submissions.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def branch_head(root: Path, branch: str) -> str | None:
    """The commit at the tip of local branch `branch`, or None when there is no such branch."""
    status, out, _ = open_repo(root).git.rev_parse(
        "--verify", "--quiet", f"refs/heads/{branch}^{{commit}}", with_extended_output=True, with_exceptions=False)
    return out.strip() if status == 0 and out.strip() else None


def commit_message(root: Path, commit: str) -> str:
    return str(open_repo(root).git.show("-s", "--format=%B", commit))


def paths_on_branch(root: Path, branch: str, paths: list[str]) -> set[str]:
    """Those of `paths` that exist on `branch`; a clear error when the branch does not."""
    if not paths:  # ls-tree without paths would list the whole top level
        return set()
    status, out, _ = open_repo(root).git.ls_tree("--name-only", "-z", f"refs/heads/{branch}", "--", *paths,
                                                 with_extended_output=True, with_exceptions=False)
    if status != 0:
        raise GitError(f"the base branch '{branch}' does not exist in {root}; "
                       "set 'base_branch' in site_config/submissions.yml to the branch stories are merged into")
    return {p for p in out.split("\0") if p}


def is_merged(root: Path, commit: str, branch: str) -> bool:
    """True when `commit` is part of `branch`'s history (the submission was merged)."""
    status, _, _ = open_repo(root).git.merge_base(
        "--is-ancestor", commit, f"refs/heads/{branch}", with_extended_output=True, with_exceptions=False)
    return status == 0


def write_branch(root: Path, base: str, branch: str, files: dict[str, bytes], message: str,
                 author: tuple[str, str], when: datetime) -> str:
    """Create `branch` from the tip of `base` with one commit adding `files`; returns the commit.

    Raises BranchExistsError (and changes nothing) when the branch already exists."""
    repo = open_repo(root)
    with _submissions_lock(repo):
        if branch_head(root, branch) is not None:
            raise BranchExistsError(f"branch '{branch}' already exists")
        base_sha = branch_head(root, base)
        if base_sha is None:
            raise GitError(f"the base branch '{base}' does not exist in {root}; "
                           "set 'base_branch' to the branch stories are merged into")
        try:
            tree = _tree_with(repo, base_sha, files)
        except git.GitCommandError as exc:
            raise GitError(f"could not write the files of '{branch}': {str(exc.stderr).strip()}") from None
        stamp = when.isoformat()
        env = {"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1], "GIT_AUTHOR_DATE": stamp,
               "GIT_COMMITTER_NAME": "masthead formbot", "GIT_COMMITTER_EMAIL": author[1],
               "GIT_COMMITTER_DATE": stamp}
        commit = str(repo.git.commit_tree(tree, "-p", base_sha, "-m", message, env=env)).strip()
        status, _, err = repo.git.update_ref("-m", "masthead: submission", f"refs/heads/{branch}", commit,
                                             ZERO_SHA, with_extended_output=True, with_exceptions=False)
        if status != 0:
            if branch_head(root, branch) is not None:
                raise BranchExistsError(f"branch '{branch}' already exists")
            raise GitError(f"could not create branch '{branch}': {err.strip()}")
        return commit


def _tree_with(repo: git.Repo, base_sha: str, files: dict[str, bytes]) -> str:
    """The tree of `base_sha` plus `files`, built in a temporary index that is then removed."""
    fd, index = tempfile.mkstemp(prefix="masthead-index-", dir=repo.git_dir)
    os.close(fd)
    os.unlink(index)  # git writes a fresh index there; an empty file is not a valid one
    env = {"GIT_INDEX_FILE": index}
    try:
        repo.git.read_tree(base_sha, env=env)
        entries: list[str] = []
        for path, data in files.items():
            blob = repo.odb.store(IStream("blob", len(data), io.BytesIO(data))).binsha.hex()
            entries += ["--cacheinfo", f"100644,{blob},{path}"]
        repo.git.update_index("--add", *entries, env=env)
        return str(repo.git.write_tree(env=env)).strip()
    finally:
        if os.path.exists(index):
            os.unlink(index)


def push_branch(root: Path, remote: str, branch: str) -> None:
    """Publish `branch` to `remote`; pushing what the remote already has changes nothing."""
    status, _, err = open_repo(root).git.push(
        "--porcelain", remote, f"refs/heads/{branch}:refs/heads/{branch}",
        with_extended_output=True, with_exceptions=False)
    if status != 0:
        raise GitError(f"could not push '{branch}' to '{remote}': {err.strip()} "
                       "(check the 'push_remote' setting and that the remote accepts pushes)")
