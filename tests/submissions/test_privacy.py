"""The contact address lives only in the service's private store: never in git, a log, a
receipt or the site; an editor can read it with a command, and delete it."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import pytest

from masthead.cli import main
from masthead.domain.problems import ContentError
from masthead.submissions.settings import load_service_settings

from masthead.domain.submissions import short_id
from conftest import EMAIL, Magazine, Running, service_env, valid


def everything_in_git(repo: Path) -> bytes:
    """Every object (decompressed), every ref, reflog and config file of a repository."""
    objects = subprocess.run(["git", "cat-file", "--batch-all-objects", "--batch"], cwd=repo,
                             capture_output=True, check=True).stdout
    git_dir = repo / ".git" if (repo / ".git").is_dir() else repo
    plain = b"".join(p.read_bytes() for p in git_dir.rglob("*") if p.is_file() and "objects" not in p.parts)
    return objects + plain


def test_the_address_never_reaches_git_logs_or_pages(service: Running, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    answer = service.post(valid(text=f"Write to me: no, the form keeps it.\n\n{'word ' * 50}"))
    sid = answer.json()["id"]
    service.wait_for([sid])
    receipt_html = service.client.get(service.url + f"submissions/{sid}").text
    receipt_json = service.client.get(service.url + f"submissions/{sid}", headers={"Accept": "application/json"}).text
    refused = service.post(valid(title="x" * 300), as_json=False, token=None).text  # the no-JS form, refilled
    for repo in (service.mag.clone, service.mag.upstream):
        blob = everything_in_git(repo)
        assert EMAIL.encode() not in blob and b"example.net" not in blob
    assert EMAIL not in caplog.text
    assert EMAIL not in receipt_html and EMAIL not in receipt_json
    assert EMAIL in refused  # the author's own form comes back to them, and only to them
    assert service.svc.store.contact(sid) == EMAIL


def test_an_editor_reads_then_deletes_the_address(service: Running, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    sid = service.post(valid()).json()["id"]
    service.wait_for([sid])
    env_root = ["--root", str(service.mag.clone)]
    monkeypatch.setenv("MASTHEAD_SUBMISSIONS_DATA_DIR", str(service.mag.data))
    assert main([*env_root, "submissions", "contact", short_id(sid)]) == 0
    assert capsys.readouterr().out.strip() == EMAIL
    assert main([*env_root, "submissions"]) == 0
    listing = capsys.readouterr().out
    assert short_id(sid) in listing and "in-review" in listing and EMAIL not in listing
    assert main([*env_root, "submissions", "forget-contact", short_id(sid)]) == 0
    assert "contact address deleted" in capsys.readouterr().out
    assert main([*env_root, "submissions", "contact", short_id(sid)]) == 1
    assert "no contact address" in capsys.readouterr().err
    stored = b"".join(p.read_bytes() for p in service.mag.data.iterdir() if p.is_file())
    assert EMAIL.encode() not in stored  # overwritten, not just unlinked from the table


def test_old_addresses_expire(service: Running) -> None:
    from datetime import datetime, timedelta, timezone

    sid = service.post(valid()).json()["id"]
    assert service.svc.store.purge_contacts(datetime.now(timezone.utc) - timedelta(days=1)) == 0
    assert service.svc.store.purge_contacts(datetime.now(timezone.utc) + timedelta(seconds=5)) == 1
    assert service.svc.store.contact(sid) is None


def test_the_store_may_not_live_inside_the_repository(magazine: Magazine) -> None:
    env = service_env(magazine, 1, data_dir=str(magazine.clone / "private"))
    with pytest.raises(ContentError) as caught:
        load_service_settings(magazine.clone, env)
    assert "field 'data_dir': the private store must be outside the repository" in str(caught.value)
