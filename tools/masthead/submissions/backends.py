"""Where deliveries go: branches in a local Git repository, or pull requests on GitHub.

Both speak the same small interface, so delivery and its tests do not care which is used.
Git goes through `masthead.gitrepo`, GitHub through `masthead.forge`; nothing else here
talks to either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from masthead import gitrepo
from masthead.domain.problems import MastheadError
from masthead.domain.submissions import COMMIT_EMAIL, Plan, public_ref, short_id, trailer_ref
from masthead.forge import BranchExists, Forge, ForgeError

from .store import DECLINED, PUBLISHED, Record


class DeliveryConflict(MastheadError):
    """A branch of that name exists but carries another submission: a person must look."""


@dataclass(frozen=True)
class Review:
    """Where editors review a delivered submission (a pull request, or just the branch)."""

    url: str = ""
    number: int = 0


class Backend(Protocol):
    name: str

    def existing(self, paths: list[str]) -> set[str]:
        """Those of `paths` already on the base branch."""

    def delivered(self, branch: str, submission_id: str) -> str | None:
        """The commit of an earlier delivery of this submission, or None when there was none."""

    def write(self, plan: Plan, files: dict[str, str], when: datetime) -> str:
        """Create the branch with one commit; raises BranchExists/BranchExistsError if it is there."""

    def review(self, plan: Plan) -> Review:
        """Make the delivery visible to editors (push, pull request); safe to repeat."""

    def state(self, record: Record) -> tuple[str, str] | None:
        """(PUBLISHED, "") or (DECLINED, reason) once editors decided; None while in review."""


def _check_ours(branch: str, submission_id: str, message: str) -> None:
    if trailer_ref(message) != public_ref(submission_id):
        raise DeliveryConflict(f"branch '{branch}' exists but holds another submission "
                               f"({trailer_ref(message) or 'no Submission-Ref'}); rename or delete it, then "
                               f"'masthead submissions retry {short_id(submission_id)}'")


class LocalBackend:
    """Branches in a Git repository on this machine, optionally pushed to a remote."""

    name = "local"

    def __init__(self, repository: Path, base: str, push_remote: str = "") -> None:
        self.root, self.base, self.remote = repository, base, push_remote

    def existing(self, paths: list[str]) -> set[str]:
        return gitrepo.paths_on_branch(self.root, self.base, paths)

    def delivered(self, branch: str, submission_id: str) -> str | None:
        head = gitrepo.branch_head(self.root, branch)
        if head is None:
            return None
        _check_ours(branch, submission_id, gitrepo.commit_message(self.root, head))
        return head

    def write(self, plan: Plan, files: dict[str, str], when: datetime) -> str:
        data = {path: text.encode("utf-8") for path, text in files.items()}
        author = (plan.author_name, COMMIT_EMAIL)
        return gitrepo.write_branch(self.root, self.base, plan.branch, data, plan.message, author, when)

    def review(self, plan: Plan) -> Review:
        if self.remote:
            gitrepo.push_branch(self.root, self.remote, plan.branch)
        return Review()

    def state(self, record: Record) -> tuple[str, str] | None:
        if record.commit_sha and gitrepo.is_merged(self.root, record.commit_sha, self.base):
            return PUBLISHED, ""
        if record.story_path and gitrepo.paths_on_branch(self.root, self.base, [record.story_path]):
            return PUBLISHED, ""
        try:  # the editorial desk's `masthead decline` leaves its reason in a note
            reason = gitrepo.decline_reason(self.root, record.branch)
        except (ImportError, AttributeError, MastheadError):
            reason = None
        return (DECLINED, reason) if reason else None


class GitHubBackend:
    """A branch and a labelled pull request on GitHub."""

    name = "github"

    def __init__(self, forge: Forge, base: str) -> None:
        self.forge, self.base = forge, base

    def existing(self, paths: list[str]) -> set[str]:
        return self.forge.existing_paths(self.base, paths)

    def delivered(self, branch: str, submission_id: str) -> str | None:
        head = self.forge.branch_head(branch)
        if head is None:
            return None
        _check_ours(branch, submission_id, self.forge.commit_message(head))
        return head

    def write(self, plan: Plan, files: dict[str, str], when: datetime) -> str:
        author = {"name": plan.author_name, "email": COMMIT_EMAIL,
                  "date": when.isoformat(timespec="seconds")}
        return self.forge.create_branch(self.base, plan.branch, files, plan.message, author)

    def review(self, plan: Plan) -> Review:
        pr = self.forge.open_pull_request(plan.review_title, plan.review_body, plan.branch, self.base, plan.labels)
        return Review(pr.url, pr.number)

    def state(self, record: Record) -> tuple[str, str] | None:
        if not record.review_number:
            return None
        pr = self.forge.pull_request(record.review_number)
        if pr.merged:
            return PUBLISHED, ""
        if pr.state == "closed":
            return DECLINED, record.reason or "closed by the editors without publishing"
        return None


BRANCH_EXISTS = (BranchExists, gitrepo.BranchExistsError)
TRANSIENT_GIT = (gitrepo.GitError,)
__all__ = ["Backend", "LocalBackend", "GitHubBackend", "Review", "DeliveryConflict", "BRANCH_EXISTS",
           "ForgeError"]
