"""The local backend end to end: real HTTP posts become branches in a real repository."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from masthead.sources.frontmatter import parse_story, parse_yaml_file
from masthead.sources.magazine import load_magazine
from masthead.sources.records import read_record
from masthead.sources.schemas import ContributorFields

from masthead.domain.submissions import short_id, public_ref
from masthead.submissions.tokens import key_digest, new_submission_key
from conftest import EMAIL, Magazine, Running, git, valid


def delivered(service: Running, fields: dict, **kw) -> tuple[str, str]:
    """Post, wait for delivery; (submission id, branch)."""
    answer = service.post(fields, **kw)
    assert answer.status_code == 201, answer.text
    sid = answer.json()["id"]
    service.wait_for([sid])
    record = service.svc.store.get(sid)
    assert record is not None
    return sid, record.branch


def test_a_submission_becomes_a_branch_with_the_story_and_a_new_contributor(service: Running) -> None:
    mag = service.mag
    sid, branch = delivered(service, valid())
    assert branch == f"submissions/{time.strftime('%Y-%m-%d')}-night-buses-on-the-quay-{short_id(sid)}" or \
        branch.endswith(f"-night-buses-on-the-quay-{short_id(sid)}")
    assert mag.branches() == [branch]  # pushed upstream
    assert mag.files(branch) == ["content/city/night-buses-on-the-quay.md", "contributors/lea-martin.yml"]
    parsed = parse_story("x.md", mag.show(branch, "content/city/night-buses-on-the-quay.md").encode())
    assert parsed.problems == []
    assert parsed.data is not None
    assert parsed.data["title"] == "Night buses on the quay"
    assert parsed.data["authors"] == ["lea-martin"]
    assert parsed.data["submitted_via"] == "form"
    assert parsed.data["summary"] == "The 7 bus runs all night."
    assert parsed.body.strip() == "The 7 bus runs all night.\n\nIt is full at 3 a.m."
    person = parse_yaml_file("c.yml", mag.show(branch, "contributors/lea-martin.yml").encode())
    assert ContributorFields.model_validate(person.data).name == "Léa Martin"
    message = git(mag.upstream, "log", "-1", "--format=%an|%ae|%B", branch)
    assert message.startswith("Léa Martin|form@submissions.invalid|Add submission: Night buses on the quay")
    assert f"Submission-Ref: {public_ref(sid)}" in message
    assert git(mag.upstream, "rev-list", "--count", f"main..{branch}").strip() == "1"


def test_masthead_accepts_the_delivered_story(service: Running, tmp_path: Path) -> None:
    mag = service.mag
    _, branch = delivered(service, valid(title="Colons: and --- dashes", summary="a: b --- c",
                                         text="---\ntitle: hacked\n---\nkey: value\n\n---\n"))
    checkout = tmp_path / "checkout"
    git(mag.upstream.parent, "clone", "-q", "-b", branch, str(mag.upstream), str(checkout))
    record = read_record(str(checkout), "content/city/colons-and-dashes.md")
    assert record.problems == []
    assert record.fields is not None and record.fields["title"] == "Colons: and --- dashes"
    assert record.fields["summary"] == "a: b --- c"
    _, problems = load_magazine(checkout, use_cache=False)
    mine = [p for p in problems if p.severity.value == "error"]
    assert mine == [], [p.text() for p in mine]


def test_a_registered_handle_with_its_key_adds_no_contributor_file(service: Running) -> None:
    key = new_submission_key()
    service.svc.store.set_key("anna", key_digest(key))
    sid, branch = delivered(service, valid(handle="anna", key=key))
    assert service.mag.files(branch) == ["content/city/night-buses-on-the-quay.md"]
    assert "authors:\n- anna\n" in service.mag.show(branch, "content/city/night-buses-on-the-quay.md")
    message = git(service.mag.upstream, "log", "-1", "--format=%B", branch)
    assert "Identity: proven: sent with anna's submission key" in message
    assert key not in message and key_digest(key) not in message


def test_a_taken_story_path_and_handle_get_the_short_id(service: Running) -> None:
    sid, branch = delivered(service, valid(title="An old story", name="Anna", lang="ru"))
    assert service.mag.files(branch) == [f"content/city/an-old-story.ru.md", "contributors/anna.yml"] or \
        service.mag.files(branch) == ["content/city/an-old-story.ru.md", f"contributors/anna-{short_id(sid)[:6]}.yml"]
    sid2, branch2 = delivered(service, valid(title="An old story", name="Anna"))
    assert service.mag.files(branch2) == [f"content/city/an-old-story-{short_id(sid2)}.md",
                                          f"contributors/anna-{short_id(sid2)[:6]}.yml"]


def test_the_work_tree_index_and_head_are_never_touched(service: Running) -> None:
    clone = service.mag.clone
    (clone / "notes.txt").write_text("an editor's unsaved work\n")
    (clone / "content/city/an-old-story.md").write_text("edited, not committed\n")
    head, status = git(clone, "rev-parse", "HEAD"), git(clone, "status", "--porcelain")
    index = (clone / ".git/index").stat().st_mtime_ns
    (clone / ".git/index.lock").write_text("")  # another git command is running in the work tree
    try:
        delivered(service, valid())
    finally:
        (clone / ".git/index.lock").unlink()
    assert (clone / ".git/index").stat().st_mtime_ns == index  # before `git status` refreshes it
    assert git(clone, "rev-parse", "HEAD") == head
    assert git(clone, "status", "--porcelain") == status
    assert git(clone, "symbolic-ref", "HEAD").strip() == "refs/heads/main"
    assert not [p for p in os.listdir(clone / ".git") if p.startswith("masthead-index")]


def test_concurrent_submissions_all_arrive(service: Running) -> None:
    titles = [f"Story number {n}" for n in range(16)]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda t: service.post(valid(title=t, email="")), titles))
    assert [a.status_code for a in answers] == [201] * len(titles)
    ids = [a.json()["id"] for a in answers]
    service.wait_for(ids, timeout=60)
    branches = service.mag.branches()
    assert len(branches) == len(titles)
    for sid in ids:
        assert sum(b.endswith(short_id(sid)) for b in branches) == 1
    for branch in branches:
        assert git(service.mag.upstream, "rev-list", "--count", f"main..{branch}").strip() == "1"
