"""One stored submission to one branch (and pull request), idempotently.

The branch name is fixed by the submission (`submissions/<date>-<slug>-<short id>`) and its
commit carries `Submission-Id: <id>`, so a delivery that is repeated after a crash or a
retry finds its own earlier work and finishes it instead of making a second copy.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import tzinfo

from masthead.domain.submissions import Plan, candidate_paths, plan_delivery, short_id
from masthead.sources.frontmatter import dump_front_matter, dump_yaml

from .backends import BRANCH_EXISTS, Backend, Review
from .store import Record

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    branch: str
    story_path: str
    site_path: str
    commit: str
    review: Review


def render_files(plan: Plan) -> dict[str, str]:
    """The text of every file the plan adds; YAML comes from the safe dumper only."""
    files = {plan.story_path: dump_front_matter(plan.story_fields) + "\n" + plan.story_body}
    if plan.contributor is not None and plan.contributor_path:
        files[plan.contributor_path] = dump_yaml(plan.contributor)
    return files


def make_plan(record: Record, backend: Backend, site_language: str, tz: tzinfo) -> Plan:
    sub = record.submission()
    existing = backend.existing(candidate_paths(sub, record.id, site_language))
    return plan_delivery(sub, record.id, record.received.astimezone(tz), site_language, existing,
                         record.has_contact)


def deliver(record: Record, backend: Backend, site_language: str, tz: tzinfo) -> Outcome:
    """Create the branch unless an earlier attempt did, then open the review."""
    plan = make_plan(record, backend, site_language, tz)
    commit = backend.delivered(plan.branch, record.id)
    if commit is None:
        try:
            commit = backend.write(plan, render_files(plan), record.received.astimezone(tz))
            log.info("submission %s: branch %s created", short_id(record.id), plan.branch)
        except BRANCH_EXISTS:
            commit = backend.delivered(plan.branch, record.id)  # another attempt got there first
            if commit is None:
                raise
    else:
        log.info("submission %s: branch %s was already there; finishing", short_id(record.id), plan.branch)
    review = backend.review(plan)
    return Outcome(plan.branch, plan.story_path, plan.site_path, commit, review)
