"""The service over real HTTP: forms with and without JavaScript, limits, bots, CORS, CSRF."""

from __future__ import annotations

import time
import unicodedata

import httpx
from bs4 import BeautifulSoup

from masthead.domain.submissions import short_id
from conftest import ORIGIN, Running, valid


def receipt_id(answer: httpx.Response) -> str:
    return answer.headers["location"].split("/submissions/")[1].split("?")[0]


def test_a_plain_form_post_gets_a_303_to_its_receipt(shared_service: Running) -> None:
    svc = shared_service
    answer = svc.post(valid(), as_json=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith(svc.url + "submissions/")
    sid = receipt_id(answer)
    svc.wait_for([sid])
    page = BeautifulSoup(svc.client.get(answer.headers["location"]).text, "html.parser")
    assert page.select_one(".receipt-title").text == "Night buses on the quay"
    assert page.select_one(".receipt-status")["data-status"] == "in_review"
    sheets = [link["href"] for link in page.select("link[rel=stylesheet]")]
    assert "http://site.test/assets/site.css" in sheets and "http://site.test/assets/send.css" in sheets
    data = svc.client.get(svc.url + f"submissions/{sid}", headers={"Accept": "application/json"}).json()
    assert data["status"] == "in_review" and data["title"] == "Night buses on the quay"
    assert "email" not in str(data) and "branch" not in data


def test_the_receipt_speaks_the_form_language(shared_service: Running) -> None:
    answer = shared_service.post(valid(ui_lang="ru"), as_json=False)
    page = BeautifulSoup(shared_service.client.get(answer.headers["location"]).text, "html.parser")
    assert page.html["lang"] == "ru"
    assert page.select_one("h1").text == "Ваша квитанция"


def test_without_javascript_a_refused_form_comes_back_filled_in(shared_service: Running) -> None:
    svc = shared_service
    typed = valid(title="x" * 201, text="Every word I typed\n\nstays here.")
    answer = svc.post(typed, as_json=False, token=None)  # no JavaScript: no token was fetched
    assert answer.status_code == 422
    page = BeautifulSoup(answer.text, "html.parser")
    form = page.select_one("form#send-form")
    assert form["action"] == svc.url + "submissions"
    assert form.select_one("textarea[name=text]").text == "Every word I typed\n\nstays here."
    assert form.select_one("input[name=name]")["value"] == "Léa Martin"
    assert form.select_one("input[name=email]")["value"] == typed["email"]
    assert "201 characters" in form.select_one("#send-title-error").text
    assert "check your text" in page.select_one("#send-form-error").text.lower()
    assert page.select_one("#send-problems li a")["href"] in ("#send-form", "#send-title")
    token = form.select_one("input[name=csrf_token]")["value"]
    assert token
    fixed = {i["name"]: i.get("value", "") for i in form.select("input") if i.get("name")}
    fixed.update(title="A shorter title", text=form.select_one("textarea[name=text]").text, consent="yes",
                 section="city", lang="en")
    time.sleep(0.05)
    again = svc.post(fixed, as_json=False, token=token)
    assert again.status_code == 303, again.text


def test_multipart_forms_are_read_too(shared_service: Running) -> None:
    fields = {k: (None, str(v)) for k, v in valid(csrf_token=shared_service.token()).items()}
    answer = shared_service.client.post(shared_service.url + "submissions", files=fields,
                                        headers={"Origin": ORIGIN, "Accept": "application/json"})
    assert answer.status_code == 201, answer.text


def test_a_body_over_one_megabyte_is_413(shared_service: Running) -> None:
    svc = shared_service
    big = valid(text="z" * 1_000_100)
    assert svc.post(big).status_code == 413
    assert svc.post(big, as_json=False).status_code == 413

    def chunks():  # no Content-Length: counted while it streams in
        for _ in range(11):
            yield b"a" * 100_000

    answer = svc.client.post(svc.url + "submissions", content=chunks(), headers={
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
    assert answer.status_code == 413
    assert "larger than 1000 KB" in answer.json()["error"]


def test_unreadable_bodies_say_what_to_send(shared_service: Running) -> None:
    url, client = shared_service.url + "submissions", shared_service.client
    broken = client.post(url, content=b"{not json", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400 and "line 1, column 2" in broken.json()["error"]
    assert client.post(url, content=b"title=x", headers={"Content-Type": "text/plain"}).status_code == 415
    latin = client.post(url, content="title=caf\xe9".encode("latin-1"),
                        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
    assert latin.status_code == 400 and "UTF-8" in latin.json()["error"]
    nested = client.post(url, json={"title": ["a"]}, headers={"Accept": "application/json"})
    assert nested.status_code == 422 and "field 'title' must be text" in nested.json()["error"]


def test_html_and_script_cannot_reach_the_site(shared_service: Running) -> None:
    svc = shared_service
    answer = svc.post(valid(title="<script>alert(1)</script>Hello <b>there</b>",
                            text="<script>alert(1)</script>\n<img src=x onerror=alert(2)>\n"
                                 "[click](javascript:alert(3)) [ok](<javascript:alert(4)>) <https://ok.example>\n\n"
                                 "```html\n<b>code stays code</b>\n```"))
    sid = answer.json()["id"]
    svc.wait_for([sid])
    record = svc.svc.store.get(sid)
    story = svc.mag.show(record.branch, record.story_path)
    assert record.title == "alert(1)Hello there"
    assert "<script" not in story and "<img" not in story and "javascript:" not in story
    assert "&lt;script>" in story and "<https://ok.example>" in story
    assert "```html\n<b>code stays code</b>\n```" in story
    receipt = BeautifulSoup(svc.client.get(svc.url + f"submissions/{sid}").text, "html.parser")
    assert not [s for s in receipt.select("script") if "alert" in s.text]


def test_paths_and_branch_names_are_made_by_the_service(shared_service: Running) -> None:
    svc = shared_service
    sid = svc.post(valid(title="../../../etc/passwd", handle="", name="../root")).json()["id"]
    svc.wait_for([sid])
    record = svc.svc.store.get(sid)
    assert record.story_path == "content/city/etc-passwd.md"
    assert record.branch.startswith("submissions/") and record.branch.endswith(f"-etc-passwd-{short_id(sid)}")
    assert svc.mag.files(record.branch) == ["content/city/etc-passwd.md", "contributors/root.yml"]


def test_text_is_nfc_and_free_of_control_characters(shared_service: Running) -> None:
    svc = shared_service
    decomposed = unicodedata.normalize("NFD", "Café déjà vu")
    sid = svc.post(valid(title=decomposed + "\u202e\u0007", text=f"{decomposed}\x00\x1b[31m red\u200b\r\nline")
                   ).json()["id"]
    svc.wait_for([sid])
    record = svc.svc.store.get(sid)
    assert record.title == "Café déjà vu" and unicodedata.is_normalized("NFC", record.title)
    story = svc.mag.show(record.branch, record.story_path)
    assert "Café déjà vu[31m red\u200b\nline" in story  # zero-width space is text; ESC and NUL are not
    assert "\x00" not in story and "\x1b" not in story and "\r" not in story


def test_honeypot_and_fill_time_stop_bots(launch) -> None:
    svc = launch(min_fill_seconds=1)
    token = svc.token()
    quick = svc.post(valid(), token=token)
    assert quick.status_code == 422
    assert [e["code"] for e in quick.json()["errors"]] == ["too_fast"]
    time.sleep(1.05)
    assert svc.post(valid(), token=token).status_code == 201
    assert svc.post(valid(), token=token).json()["errors"][0]["message"].startswith("the form's token is spent")
    expired = svc.svc.tokens.issue(time.time() - 90_000)
    assert "token is expired" in svc.post(valid(), token=expired).json()["errors"][0]["message"]


def test_rate_limit_per_address(launch) -> None:
    svc = launch(rate_limit="3/minute")
    codes = [svc.post(valid(title=f"Post {n}", email="")).status_code for n in range(4)]
    assert codes == [201, 201, 201, 429]
    refused = svc.post(valid())
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert "too many submissions" in refused.json()["error"]


def test_cors_lets_only_the_site_post(shared_service: Running) -> None:
    svc, url = shared_service, shared_service.url + "submissions"
    preflight = svc.client.options(url, headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST",
                                                 "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    evil = svc.client.options(url, headers={"Origin": "http://evil.test", "Access-Control-Request-Method": "POST"})
    assert evil.status_code == 400 and "access-control-allow-origin" not in evil.headers
    token = svc.client.get(svc.url + "submissions/token", headers={"Origin": ORIGIN})
    assert token.headers["access-control-allow-origin"] == ORIGIN
    assert token.headers["cache-control"] == "no-store"
    foreign = svc.post(valid(), origin="http://evil.test")
    assert foreign.status_code == 403 and "only allowed from http://site.test" in foreign.json()["error"]


def test_health_and_unknown_receipts(shared_service: Running) -> None:
    health = shared_service.client.get(shared_service.url + "health")
    assert health.status_code == 200
    assert health.json()["status"] == "ok" and health.json()["backend"] == "local"
    for bad in ("0" * 32, "..%2F..%2Fetc%2Fpasswd", "nothex"):
        assert shared_service.client.get(shared_service.url + f"submissions/{bad}").status_code == 404


def test_the_receipt_points_at_the_site_where_the_reader_is(launch) -> None:  # type: ignore[no-untyped-def]
    """The demo serves the site on 127.0.0.1: the receipt's styles and "Back to" link go there,
    not to the public site_url of mkdocs.yml."""
    local = "http://127.0.0.1:8123/"
    svc = launch(site_url=local.rstrip("/"))
    answer = svc.post(valid(), as_json=False)
    page = BeautifulSoup(svc.client.get(answer.headers["location"]).text, "html.parser")
    sheets = [link["href"] for link in page.select("link[rel=stylesheet]")]
    assert local + "assets/site.css" in sheets and local + "assets/send.css" in sheets
    back = [a for a in page.select("main a") if a.get("href") == local]
    assert back and "site.test" not in " ".join(a.get("href", "") for a in page.select("a"))
