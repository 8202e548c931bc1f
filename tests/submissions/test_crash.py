"""Durability: acknowledged means stored; after `kill -9` and a restart, everything
acknowledged is delivered exactly once."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

import httpx

from masthead.submissions.delivery import make_plan, render_files
from masthead.submissions.service import build_service
from masthead.submissions.store import DELIVERING, Store

from masthead.domain.submissions import short_id, public_ref
from conftest import EMAIL, ORIGIN, Magazine, Process, free_port, git, service_env, valid


def post_until_refused(url: str, acknowledged: list[str], limit: int = 20) -> None:
    """Post one submission after another; keep the ids the service acknowledged (201)."""
    with httpx.Client(timeout=20, verify=False) as client:
        for n in range(limit):
            try:
                token = client.get(url + "submissions/token").json()["token"]
                answer = client.post(url + "submissions", json=valid(title=f"Dispatch {n}", csrf_token=token),
                                     headers={"Origin": ORIGIN, "Accept": "application/json"})
            except httpx.HTTPError:
                return  # the service was killed
            if answer.status_code == 201:
                acknowledged.append(answer.json()["id"])


def wait_until(check, timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.time() + timeout
    while not check():
        assert time.time() < deadline, "timed out"
        time.sleep(0.005)


def test_kill_9_during_delivery_then_restart_delivers_each_exactly_once(process: Process, magazine: Magazine) -> None:
    process.start()
    acknowledged: list[str] = []
    poster = threading.Thread(target=post_until_refused, args=(process.url, acknowledged))
    poster.start()
    wait_until(lambda: len(magazine.branches(magazine.clone)) >= 2)
    process.kill()  # mid-stream: posts arriving, deliveries under way
    poster.join()
    before = len(magazine.branches(magazine.clone))
    assert before < len(acknowledged), "the kill came after every delivery; nothing was tested"
    process.start()
    store = Store(magazine.data)
    wait_until(lambda: set(store.counts()) == {"in-review"})
    stored = [r.id for r in store.list()]
    assert set(acknowledged) <= set(stored)  # everything acknowledged survived the kill
    branches = magazine.branches(magazine.clone)
    assert len(branches) == len(stored)  # and each became exactly one branch
    for sid in stored:
        [branch] = [b for b in branches if b.endswith(short_id(sid))]
        assert git(magazine.clone, "rev-list", "--count", f"main..{branch}").strip() == "1"
        assert f"Submission-Ref: {public_ref(sid)}" in git(magazine.clone, "log", "-1", "--format=%B", branch)
    assert magazine.branches() == branches  # every one reached the upstream repository too
    assert EMAIL not in process.log_text()
    store.close()


def test_a_crash_between_branch_and_bookkeeping_makes_no_second_branch(magazine: Magazine) -> None:
    env = service_env(magazine, free_port())
    svc = build_service(magazine.clone, env)
    sid = "ab" * 16
    sub_fields = valid()
    from masthead.domain.submissions import FormRules, validate_submission
    sub, errors = validate_submission(sub_fields, FormRules(("city",), ("en",), "en", "CC BY-SA 4.0"))
    assert sub is not None and not errors
    svc.store.add(sid, sub, datetime.now(timezone.utc))
    record = svc.store.claim_due(time.time())
    assert record is not None and record.status == DELIVERING
    # The first attempt got as far as creating the branch, then the process died.
    backend = svc.worker.backend
    plan = make_plan(record, backend, "en", svc.settings.timezone)
    first = backend.write(plan, render_files(plan), record.received)
    # A new process starts: interrupted deliveries go back to the queue and are finished.
    svc.worker.start()
    try:
        wait_until(lambda: svc.store.get(sid).status == "in-review", timeout=20)
    finally:
        svc.worker.stop()
    assert svc.store.get(sid).commit_sha == first
    assert git(magazine.clone, "rev-parse", plan.branch).strip() == first
    assert magazine.branches() == [plan.branch]  # pushed when finishing
    svc.store.close()
    assert svc.lock is not None
    svc.lock.close()


def test_a_second_service_on_the_same_store_is_refused(magazine: Magazine) -> None:
    from masthead.domain.problems import UsageError

    env = service_env(magazine, free_port())
    first = build_service(magazine.clone, env)
    try:
        build_service(magazine.clone, env)
    except UsageError as exc:
        assert "another 'masthead formbot' is already running" in str(exc)
    else:
        raise AssertionError("two services shared one store")
    finally:
        first.store.close()
        assert first.lock is not None
        first.lock.close()
