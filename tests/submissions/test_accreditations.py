"""Accreditation requests through the send-text service on 127.0.0.1, and the editors'
`masthead accreditations list|accept|decline`, answering over a real SMTP server (aiosmtpd).
docs/send-text.md, "Accreditation"."""

from __future__ import annotations

import logging
import sqlite3
import sys
from pathlib import Path
from typing import Iterator

import pytest
from bs4 import BeautifulSoup

from conftest import EMAIL, ORIGIN, Running, git, make_magazine, seed_repo, start_service

sys.path.insert(0, str(Path(__file__).parents[1] / "reach"))
import smtp_server  # noqa: E402  (the reach tests' real SMTP server)

EVENT = """\
---
title: "Harbour festival"
start: 2030-06-12 10:00 Europe/Paris
end: 2030-06-12 23:00 Europe/Paris
place: "The old harbour"
organisers: [anna]
accreditation: true
---

Boats and music.
"""
EVENT_RU = EVENT.replace('"Harbour festival"', '"Праздник гавани"').replace(
    "accreditation: true", "accreditation: true\ntranslation_of: events/harbour.md")
PAST = EVENT.replace("2030-06-12", "2020-06-12").replace("Harbour festival", "Old fair")
NO_FORM = EVENT.replace("accreditation: true", "accreditation: false").replace("Harbour festival", "Quiet day")


@pytest.fixture(scope="module")
def event_seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = seed_repo(tmp_path_factory.mktemp("event-seed"))
    for name, text in (("harbour.md", EVENT), ("harbour.ru.md", EVENT_RU), ("old-fair.md", PAST),
                       ("quiet-day.md", NO_FORM)):
        (root / "content/events").mkdir(exist_ok=True)
        (root / "content/events" / name).write_text(text, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Events")
    return root


@pytest.fixture
def running(event_seed: Path, tmp_path: Path) -> Iterator[Running]:
    service = start_service(make_magazine(event_seed, tmp_path))
    yield service
    service.stop()


def request(**changes: str) -> dict[str, str]:
    fields = {"event": "harbour", "name": "Jo Reporter", "outlet": "River Radio", "contact": EMAIL,
              "role": "video", "consent": "yes", "ui_lang": "en"}
    fields.update(changes)
    return {k: v for k, v in fields.items() if v}


def post(s: Running, fields: dict[str, str], *, as_json: bool = True, token: str | None = "fresh"):  # type: ignore[no-untyped-def]
    data = dict(fields)
    if token == "fresh":
        data["csrf_token"] = s.token()
    elif token:
        data["csrf_token"] = token
    head = {"Origin": ORIGIN}
    if as_json:
        return s.client.post(s.url + "accreditations", json=data, headers={**head, "Accept": "application/json"})
    return s.client.post(s.url + "accreditations", data=data, headers=head, follow_redirects=False)


def test_a_request_is_stored_durably_and_privately(running: Running, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    r = post(running, request())
    assert r.status_code == 201, r.text
    stored = running.svc.accreditations.list()  # type: ignore[union-attr]
    assert [(x.event, x.status, x.fields["outlet"], x.fields["role"]) for x in stored] == [
        ("harbour", "pending", "River Radio", "video")]
    assert running.svc.accreditations.contact(stored[0].id) == EMAIL  # type: ignore[union-attr]
    # committed before the answer: a second connection, opened now, reads it
    db = sqlite3.connect(running.mag.data / "accreditations.sqlite3")
    assert db.execute("SELECT COUNT(*) FROM requests").fetchone() == (1,)
    assert EMAIL not in db.execute("SELECT fields FROM requests").fetchone()[0]
    db.close()
    assert EMAIL not in caplog.text and EMAIL not in r.text
    assert EMAIL not in git(running.mag.upstream, "log", "--all", "-p")  # nothing reaches the repository


def test_every_problem_at_once_and_the_form_again_without_javascript(running: Running) -> None:
    r = post(running, request(name="", contact="not-an-address", role="pilot", consent=""))
    assert r.status_code == 422
    codes = {(e["field"], e["code"]) for e in r.json()["errors"]}
    assert codes == {("name", "required"), ("contact", "email"), ("role", "choice"), ("consent", "consent")}
    # a browser without JavaScript: the first post has no token; the service shows the form again,
    # in the reader's language, with a fresh token and what was typed
    r = post(running, request(ui_lang="ru"), as_json=False, token=None)
    assert r.status_code == 422
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.html["lang"] == "ru" and soup.select_one("#acc-outlet")["value"] == "River Radio"
    assert soup.select_one("h1").get_text() == "Аккредитация прессы: Праздник гавани"
    token = soup.select_one("input[name=csrf_token]")["value"]
    r = post(running, request(ui_lang="ru"), as_json=False, token=token)
    assert r.status_code == 303 and r.headers["location"].endswith("accreditations/received?lang=ru")
    page = BeautifulSoup(running.client.get(r.headers["location"]).text, "html.parser")
    assert "Спасибо: запрос получен" in page.get_text()
    assert post(running, request(), token=token).status_code == 422  # one token, one request


@pytest.mark.parametrize("event", ["old-fair", "quiet-day", "nothing", "<script>"])
def test_only_upcoming_events_with_the_form_take_requests(running: Running, event: str) -> None:
    r = post(running, request(event=event))
    assert r.status_code == 422 and {e["code"] for e in r.json()["errors"]} == {"event"}


def test_foreign_origins_robots_and_floods_are_refused(event_seed: Path, tmp_path: Path) -> None:
    s = start_service(make_magazine(event_seed, tmp_path), rate_limit="2/minute")
    try:
        bad = s.client.post(s.url + "accreditations", json=request(), headers={"Origin": "http://evil.test"})
        assert bad.status_code == 403
        trap = post(s, {**request(), "homepage": "http://spam.test"})
        assert trap.status_code == 422 and "honeypot" in {e["code"] for e in trap.json()["errors"]}
        assert post(s, request()).status_code == 201  # the second of two a minute
        flood = post(s, request())
        assert flood.status_code == 429 and int(flood.headers["Retry-After"]) > 0
        assert len(s.svc.accreditations.list()) == 1  # type: ignore[union-attr]
    finally:
        s.stop()


def test_editors_list_accept_and_decline_with_answers_over_smtp(
        running: Running, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from masthead.cli import main

    assert post(running, request()).status_code == 201
    assert post(running, request(name="Kim Photo", contact="kim@example.net", role="photographer",
                                 ui_lang="ru")).status_code == 201
    box = smtp_server.Mailbox()
    controller = smtp_server.start(box)
    try:
        monkeypatch.setenv("MASTHEAD_SUBMISSIONS_DATA_DIR", str(running.mag.data))
        for name, value in (("HOST", "127.0.0.1"), ("PORT", str(controller.port)), ("SECURITY", "none"),
                            ("USER", smtp_server.USER), ("PASSWORD", smtp_server.PASSWORD),
                            ("FROM", "Press desk <press@site.test>")):
            monkeypatch.setenv(f"MASTHEAD_SMTP_{name}", value)
        root = ["--root", str(running.mag.clone)]
        assert main([*root, "accreditations", "list"]) == 0
        listing = capsys.readouterr().out
        assert "Jo Reporter (River Radio, video)" in listing and EMAIL not in listing
        by_name = {r.name: r for r in running.svc.accreditations.list()}  # type: ignore[union-attr]
        jo, kim = by_name["Jo Reporter"], by_name["Kim Photo"]
        assert main([*root, "accreditations", "accept", jo.id[:8], "--note", "Meet us at the pontoon."]) == 0
        assert main([*root, "accreditations", "decline", kim.id[:8]]) == 0
        out = capsys.readouterr().out
        assert EMAIL not in out and smtp_server.PASSWORD not in out
    finally:
        controller.stop()
    (to_jo, accepted), (to_kim, declined) = box.messages
    assert to_jo == [EMAIL] and accepted["Subject"] == "Your accreditation for Harbour festival · Test Weekly"
    assert "Meet us at the pontoon." in accepted.get_content() and accepted.get_content_type() == "text/plain"
    assert to_kim == ["kim@example.net"]  # in Russian, the language the request was made in
    assert declined["Subject"] == "Ваш запрос на аккредитацию на «Праздник гавани» · Test Weekly"
    store = running.svc.accreditations
    assert {r.name: r.status for r in store.list()} == {"Jo Reporter": "accepted", "Kim Photo": "declined"}  # type: ignore[union-attr]
    assert store.contact(jo.id) is None and store.contact(kim.id) is None  # type: ignore[union-attr]
    raw = (running.mag.data / "accreditations.sqlite3").read_bytes()
    wal = running.mag.data / "accreditations.sqlite3-wal"
    assert EMAIL.encode() not in raw and (not wal.exists() or EMAIL.encode() not in wal.read_bytes())
    capsys.readouterr()
    assert main(["--root", str(running.mag.clone), "accreditations", "accept", jo.id[:8]]) == 2  # answered already
    assert "was accepted already" in capsys.readouterr().err


def test_oversized_and_hostile_requests(running: Running) -> None:
    big = post(running, request(outlet="x" * 30_000))
    assert big.status_code == 413  # counted while it streams in, before anything is parsed
    r = post(running, request(name="<script>alert(1)</script>\u202eJo", outlet="Radio\u0000 One"))
    assert r.status_code == 201
    (stored,) = running.svc.accreditations.list()  # type: ignore[union-attr]
    assert "\u202e" not in stored.name and "\u0000" not in stored.fields["outlet"]  # the submissions' cleaning
    wrong = running.client.get(running.url + "accreditations")
    assert wrong.status_code == 405


def test_kill_9_keeps_every_acknowledged_request(event_seed: Path, tmp_path: Path) -> None:
    """Acknowledged means committed: `masthead formbot` killed with SIGKILL mid-stream loses none."""
    import threading
    import time

    import httpx

    from conftest import Process, free_port, service_env
    from masthead.submissions.accreditations import Accreditations

    mag = make_magazine(event_seed, tmp_path)
    port = free_port()
    proc = Process(mag, service_env(mag, port, workers=1), port)
    proc.start()
    acknowledged: list[str] = []

    def flood() -> None:
        with httpx.Client(timeout=20) as client:
            for _ in range(200):
                try:
                    token = client.get(proc.url + "submissions/token").json()["token"]
                    answer = client.post(proc.url + "accreditations", json={**request(), "csrf_token": token},
                                         headers={"Origin": ORIGIN, "Accept": "application/json"})
                except httpx.HTTPError:
                    return  # killed
                if answer.status_code == 201:
                    acknowledged.append(answer.json()["id"])

    poster = threading.Thread(target=flood)
    poster.start()
    deadline = time.time() + 60
    while len(acknowledged) < 5 and time.time() < deadline:
        time.sleep(0.01)
    proc.kill()
    poster.join()
    assert len(acknowledged) >= 5
    store = Accreditations(mag.data)
    try:
        assert set(acknowledged) <= {r.id for r in store.list()}
        assert all(store.contact(i) == EMAIL for i in acknowledged)
    finally:
        store.close()
    assert EMAIL not in proc.log_text()
