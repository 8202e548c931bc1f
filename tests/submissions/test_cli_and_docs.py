"""The editors' commands, the settings' errors, the /send/ page of the built site, and the docs
that describe them all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from masthead.cli import main
from masthead.domain.problems import ContentError
from masthead.submissions.settings import ServiceFields, load_service_settings
from masthead.submissions.site_page import ERROR_CODES

from masthead.domain.submissions import short_id
from conftest import THEME, Magazine, Running, git, service_env, valid

DOCS = (Path(__file__).parents[2] / "docs" / "send-text.md").read_text(encoding="utf-8")


@pytest.fixture
def cli(service: Running, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MASTHEAD_SUBMISSIONS_DATA_DIR", str(service.mag.data))

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--root", str(service.mag.clone), "submissions", *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_retry_a_failed_submission(service: Running, cli) -> None:  # type: ignore[no-untyped-def]
    sid = service.post(valid()).json()["id"]
    service.wait_for([sid])
    code, _, err = cli("retry", short_id(sid))
    assert code == 2 and f"{short_id(sid)} is not waiting or failed (in-review); nothing to retry" in err
    service.svc.store.mark_failed(sid, "GitHub refused the token")
    code, out, _ = cli("--status", "failed")
    assert code == 0 and short_id(sid) in out and "GitHub refused the token" in out
    for argv in (("list", "--status", "failed"), ("--status", "failed", "list")):  # the README's `submissions list`
        code, out, _ = cli(*argv)
        assert code == 0 and short_id(sid) in out and "GitHub refused the token" in out
    code, out, _ = cli("list", "--status", "received")
    assert code == 0 and short_id(sid) not in out
    code, out, _ = cli("retry", "--failed")
    assert code == 0 and out.strip() == f"{short_id(sid)} queued for delivery"
    service.svc.worker.wake()
    service.wait_for([sid])
    code, out, _ = cli("--format", "json")
    assert json.loads(out)[0]["status"] == "in-review" and json.loads(out)[0]["has_contact"] is True


def test_decline_shows_the_reason_on_the_receipt(service: Running, cli) -> None:  # type: ignore[no-untyped-def]
    sid = service.post(valid()).json()["id"]
    service.wait_for([sid])
    code, out, _ = cli("decline", short_id(sid)[:6], "--reason", "We ran a piece on the same night bus last week.")
    assert code == 0 and "declined" in out
    page = BeautifulSoup(service.client.get(service.url + f"submissions/{sid}").text, "html.parser")
    assert page.select_one(".receipt-status")["data-status"] == "declined"
    assert page.select_one(".receipt-reason").text == "We ran a piece on the same night bus last week."


def test_unknown_and_ambiguous_ids_say_what_to_do(service: Running, cli) -> None:  # type: ignore[no-untyped-def]
    service.post(valid())
    code, _, err = cli("contact", "ffffffff")
    assert code == 2 and "no submission with an id starting 'ffffffff'" in err
    code, _, err = cli("contact", "zz")
    assert code == 2 and "give at least 4 characters" in err


def test_a_merged_branch_is_published_with_its_link(service: Running) -> None:
    sid = service.post(valid()).json()["id"]
    service.wait_for([sid])
    branch = service.svc.store.get(sid).branch
    git(service.mag.clone, "merge", "--no-ff", "-q", "-m", "Publish", branch)
    service.svc.worker.housekeeping()
    record = service.svc.store.get(sid)
    assert record.status == "published"
    assert record.published_url == "http://site.test/city/night-buses-on-the-quay/"


def test_every_wrong_setting_is_reported_at_once(magazine: Magazine) -> None:
    env = service_env(magazine, 1, backend="ftp", min_fill_seconds="-1", allowed_origins="site.test")
    with pytest.raises(ContentError) as caught:
        load_service_settings(magazine.clone, env)
    text = str(caught.value)
    for name in ("backend", "min_fill_seconds", "allowed_origins"):
        assert f"MASTHEAD_SUBMISSIONS_{name.upper()}" in text and f"field '{name}" in text
    assert "'site.test' is not an origin; write it as https://example.org" in text


def test_settings_file_then_environment(magazine: Magazine) -> None:
    (magazine.clone / "site_config/submissions.yml").write_text("base_branch: trunk\nworkers: 3\n")
    fields = load_service_settings(magazine.clone, service_env(magazine, 1, workers=5))
    assert (fields.base_branch, fields.workers) == ("trunk", 5)
    assert fields.allowed_origins == ["http://site.test"]


def test_the_built_site_has_the_form(magazine: Magazine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASTHEAD_SUBMISSIONS_SERVICE_URL", "https://example.org/formbot")
    site = tmp_path / "site"
    assert main(["--root", str(magazine.clone), "build", "--site-dir", str(site), "--no-progress"]) == 0
    page = BeautifulSoup((site / "send/index.html").read_text(encoding="utf-8"), "html.parser")
    form = page.select_one("form#send-form")
    assert form["method"] == "post" and form["action"] == "https://example.org/formbot/submissions"
    assert form["data-token-url"] == "https://example.org/formbot/submissions/token"
    assert [o["value"] for o in form.select("select[name=section] option")] == ["city", "letters"]
    assert [o["value"] for o in form.select("select[name=lang] option")] == ["en", "ru"]
    assert form.select_one("input[name=homepage]")["tabindex"] == "-1"
    assert form.select_one("input[name=consent]").has_attr("required")
    assert "CC BY-SA 4.0" in form.select_one("label[for=send-consent]").text
    assert set(json.loads(form["data-messages"])) == set(ERROR_CODES)
    assert page.select_one('script[src$="assets/send.js"]') is not None
    assert (site / "assets/send.js").is_file() and (site / "assets/send.css").is_file()


def test_every_language_has_the_form_strings() -> None:
    from babel.messages.pofile import read_po  # the theme's gettext catalogs (docs/theme.md)

    tables = {}
    for p in (THEME / "locale").glob("*/LC_MESSAGES/messages.po"):
        with p.open("rb") as fh:
            tables[p.parent.parent.name] = {m.id if isinstance(m.id, str) else m.id[0]
                                            for m in read_po(fh) if m.id and m.string}
    keys = {k for k in tables["en"] if k.startswith(("send.", "receipt."))}
    assert {f"send.error.{c}" for c in ERROR_CODES} <= keys
    for lang, table in tables.items():
        assert keys <= set(table), f"{lang} lacks {sorted(keys - set(table))}"


def test_the_docs_cover_every_setting_and_command() -> None:
    for name in ServiceFields.model_fields:
        assert f"| `{name}` |" in DOCS, name
    for command in ("masthead formbot", "masthead submissions retry", "masthead submissions contact",
                    "masthead submissions forget-contact", "masthead submissions decline", "retry --failed"):
        assert command in DOCS, command


@pytest.mark.parametrize("command", [["formbot", "--help"], ["submissions", "--help"]])
def test_help_teaches_with_examples(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(command)
    out = capsys.readouterr().out
    assert "masthead formbot" in out or "masthead submissions retry" in out
    assert "docs/send-text.md" in out or "contact" in out


def test_the_sites_address_for_the_service_defaults_origins(magazine: Magazine) -> None:
    env = {k: v for k, v in service_env(magazine, 1, site_url="http://127.0.0.1:8123").items()
           if k != "MASTHEAD_SUBMISSIONS_ALLOWED_ORIGINS"}
    fields = load_service_settings(magazine.clone, env)
    assert (fields.site_url, fields.allowed_origins) == ("http://127.0.0.1:8123/", ["http://127.0.0.1:8123"])
    assert load_service_settings(magazine.clone, service_env(magazine, 1)).site_url == "http://site.test/"
