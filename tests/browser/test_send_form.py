"""The "send a text" form end to end: headless Chromium on the built site's /send/ page, the
real `masthead formbot` process on 127.0.0.1, and the branch it leaves in a real Git repository.

One magazine (the repository's own sample, copied into a fresh Git repository) is built with
its form pointing at the service, served by http.server, and submitted to twice: once with
JavaScript (send.js: inline errors, then JSON and the receipt) and once without (a plain form
post, the form again with a fresh token, then a 303 to the receipt). Each accepted text must
become a `submissions/*` branch whose story masthead's own loader accepts, and the contact
address typed into the form must appear nowhere in Git.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from masthead.domain.submissions import public_ref
import yaml

from tests.browser.conftest import CHROMIUM, Quiet
from tests.conftest import NOW, REPO

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (scripts/setup.sh --test installs it)"),
]

EMAIL = "lea.private+send-form@example.net"  # must never reach Git
MIN_FILL = 1.0  # seconds; the service's min_fill_seconds for this test
SECTION = "city"
CONSENT_ERROR = "Please agree to publication under the licence"
HANDLE_ERROR = "A handle has 2 to 39 lower-case letters"
TOKEN_ERROR = "Please check your text and press Send again."


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Editor", "GIT_AUTHOR_EMAIL": "editor@example.org",
           "GIT_COMMITTER_NAME": "Editor", "GIT_COMMITTER_EMAIL": "editor@example.org"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=check, capture_output=True, text=True)


def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Stack:
    repo: Path  # the magazine's Git repository, where the service makes its branches
    site: str  # the built site, e.g. http://127.0.0.1:PORT/
    service: str  # the formbot, e.g. http://127.0.0.1:PORT/
    log: Path  # the formbot's output
    scratch: Path  # room for checkouts, outside the repository

    @property
    def site_origin(self) -> str:
        return self.site.rstrip("/")

    def receipt_pattern(self) -> re.Pattern[str]:
        return re.compile(re.escape(self.service) + r"submissions/([0-9a-f]{32})\?lang=en$")

    def branch_of(self, submission_id: str, timeout: float = 30) -> str:
        """The `submissions/*` branch whose commit carries this submission's public reference (waits
        for delivery); the receipt id itself is never in Git."""
        deadline = time.monotonic() + timeout
        while True:
            refs = git(self.repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/submissions/").stdout.split()
            for ref in refs:
                if f"Submission-Ref: {public_ref(submission_id)}" in git(self.repo, "log", "-1", "--format=%B",
                                                                         ref).stdout:
                    return ref
            if time.monotonic() > deadline:
                raise AssertionError(f"no branch for {submission_id} after {timeout} s; branches {refs}; "
                                     f"formbot log:\n{self.log.read_text(errors='replace')}")
            time.sleep(0.2)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    base = tmp_path_factory.mktemp("send-form")
    repo, site_dir, data_dir = base / "magazine", base / "site", base / "private"
    for name in ("content", "contributors", "site_config", "theme"):
        shutil.copytree(REPO / name, repo / name)

    # The static site's server is bound first: its origin goes into the settings before the build.
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site_dir)))
    site = f"http://127.0.0.1:{httpd.server_address[1]}/"
    service = f"http://127.0.0.1:{unused_port()}/"
    mkdocs = repo / "site_config" / "mkdocs.yml"
    # The site is served from here, so pages (and the service's pages, which link to the site) stay local.
    mkdocs.write_text(re.sub(r"(?m)^site_url:.*$", f"site_url: {site}", mkdocs.read_text(encoding="utf-8")),
                      encoding="utf-8")
    (repo / "site_config" / "submissions.yml").write_text(
        f"service_url: {service}\nallowed_origins: [{site.rstrip('/')}]\n", encoding="utf-8")
    git(base, "init", "-q", "-b", "main", str(repo))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "The magazine")

    from masthead.site.build import build_site

    with pytest.MonkeyPatch.context() as mp:  # the build reads service_url from the file, not from a stray variable
        for key in [k for k in os.environ if k.startswith("MASTHEAD_SUBMISSIONS_")]:
            mp.delenv(key)
        build_site(repo, site_dir=site_dir, now=NOW, progress=False)
    assert (site_dir / "send" / "index.html").is_file()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()

    env = {k: v for k, v in os.environ.items()
           if not k.startswith("MASTHEAD_SUBMISSIONS_") and k not in ("MASTHEAD_GITHUB_TOKEN", "MASTHEAD_FORM_SECRET")}
    env.update({"MASTHEAD_SUBMISSIONS_DATA_DIR": str(data_dir),
                "MASTHEAD_SUBMISSIONS_MIN_FILL_SECONDS": str(MIN_FILL),
                "MASTHEAD_SUBMISSIONS_REFRESH_SECONDS": "3600"})
    script = Path(sys.executable).with_name("masthead")
    command = [str(script)] if script.exists() else \
        [sys.executable, "-c", "import sys; from masthead.cli import main; sys.exit(main())"]
    port = service.rsplit(":", 1)[1].strip("/")
    log = base / "formbot.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([*command, "--root", str(repo), "formbot", "--host", "127.0.0.1", "--port", port],
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(service + "health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("masthead formbot did not start:\n" + log.read_text(errors="replace"))
            time.sleep(0.1)
        yield Stack(repo, site, service, log, base)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        httpd.shutdown()
        httpd.server_close()


def local_context(browser: Any, foreign: list[str], **options: Any) -> Any:
    """A browser context in which any request leaving 127.0.0.1 is refused, and noted."""
    context = browser.new_context(**options)

    def guard(route: Any) -> None:
        if route.request.url.startswith(("http://127.0.0.1:", "data:")):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    return context


def values(page: Any, *names: str) -> dict[str, str]:
    return {name: page.locator(f"#send-{name}").input_value() for name in names}


def check_delivery(stack: Stack, submission_id: str, title: str, name: str) -> None:
    """The branch: one commit adding the story (and the new author), accepted by masthead's loader,
    and without the contact address anywhere."""
    from masthead.domain.problems import Severity
    from masthead.sources.magazine import load_magazine
    from masthead.sources.records import read_record

    branch = stack.branch_of(submission_id)
    assert branch.startswith("submissions/")
    assert git(stack.repo, "rev-list", "--count", f"main..{branch}").stdout.strip() == "1"
    added = git(stack.repo, "diff", "--name-only", "--diff-filter=A", f"main...{branch}").stdout.split()
    changed = git(stack.repo, "diff", "--name-only", f"main...{branch}").stdout.split()
    assert added == changed, "the branch only adds files"
    stories = [p for p in added if p.startswith(f"content/{SECTION}/") and p.endswith(".md")]
    people = [p for p in added if p.startswith("contributors/") and p.endswith(".yml")]
    assert len(stories) == 1 and len(people) == 1 and len(added) == 2, added
    assert title in git(stack.repo, "show", f"{branch}:{stories[0]}").stdout

    checkout = stack.scratch / f"checkout-{submission_id[:8]}"
    git(stack.repo, "worktree", "add", "-q", "--detach", str(checkout), branch)
    try:
        record = read_record(str(checkout), stories[0])
        assert record.problems == [], [p.text() for p in record.problems]
        assert record.fields is not None
        assert record.fields["title"] == title and record.fields["section"] == SECTION
        handle = people[0].removeprefix("contributors/").removesuffix(".yml")
        assert record.fields["authors"] == [handle]
        assert yaml.safe_load((checkout / people[0]).read_text(encoding="utf-8"))["name"] == name
        magazine, problems = load_magazine(checkout, use_cache=False)
        assert magazine is not None
        errors = [p.text() for p in problems if p.severity == Severity.ERROR]
        assert errors == [], errors
        assert not [p.text() for p in problems if p.path in added], "the new files raise no warning either"
        story = next(s for s in magazine.stories if s.source == stories[0])
        assert story.title == title and story.authors == (handle,) and story.submitted_via == "form"
    finally:
        git(stack.repo, "worktree", "remove", "--force", str(checkout), check=False)

    # The contact address: not in the branch's files, its commit, or any object of the repository.
    assert git(stack.repo, "grep", "-F", "-i", EMAIL, branch, check=False).returncode == 1
    commit = git(stack.repo, "log", "-1", "--format=%an%n%ae%n%cn%n%ce%n%B", branch).stdout
    assert EMAIL not in commit and f"Submission-Ref: {public_ref(submission_id)}" in commit
    assert submission_id not in commit  # the receipt id is the author's alone
    every_object = subprocess.run(["git", "cat-file", "--batch-all-objects", "--batch"], cwd=stack.repo,
                                  check=True, capture_output=True).stdout
    assert EMAIL.encode() not in every_object


def test_form_with_javascript_shows_errors_then_lands_on_the_receipt(browser: Any, stack: Stack) -> None:
    foreign: list[str] = []
    context = local_context(browser, foreign)
    page = context.new_page()
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.goto(stack.site + "send/")
    assert page.locator("#send-form").get_attribute("action") == stack.service + "submissions"
    page.wait_for_function("document.querySelector('#send-form [name=csrf_token]').value !== ''", timeout=10_000)

    title = "Night buses on the quay, written from the last one home"
    text = "The 7 bus runs all night.\n\nAt 3 a.m. it is *full*: nurses, bakers, and us."
    typed = {"name": "Léa Martin", "email": EMAIL, "title": title, "text": text}
    for field, value in typed.items():
        page.locator(f"#send-{field}").fill(value)
    page.locator("#send-section").select_option(SECTION)

    # 1. Consent missing: send.js says so next to the box, sends nothing, keeps every word.
    page.locator("button.send-submit").click()
    consent_error = page.locator('[data-error-for="consent"]')
    consent_error.wait_for(state="visible", timeout=5_000)
    assert CONSENT_ERROR in consent_error.inner_text()
    assert page.locator("#send-consent").get_attribute("aria-invalid") == "true"
    assert posts == []
    assert values(page, "name", "email", "title", "text") == typed

    # 2. A name typed as the handle: the service answers 422 and the error appears inline, no reload.
    page.locator("#send-consent").check()
    page.locator("#send-handle").fill("Léa Martin")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.locator("button.send-submit").click()
    assert answer.value.status == 422 and answer.value.url == stack.service + "submissions"
    handle_error = page.locator('[data-error-for="handle"]')
    handle_error.wait_for(state="visible", timeout=5_000)
    assert HANDLE_ERROR in handle_error.inner_text()
    assert page.locator("#send-handle").get_attribute("aria-invalid") == "true"
    assert consent_error.is_hidden()
    assert page.locator("#send-problems").is_visible()
    assert page.url == stack.site + "send/"
    assert values(page, "name", "email", "title", "text") == typed
    assert page.locator("#send-consent").is_checked()

    # 3. Fixed, and sent after the minimum fill time of the fresh token: the receipt.
    page.locator("#send-handle").fill("")
    page.wait_for_timeout(MIN_FILL * 1000 + 300)
    page.locator("button.send-submit").click()
    page.wait_for_url(stack.receipt_pattern(), timeout=15_000)
    match = stack.receipt_pattern().match(page.url)
    assert match is not None
    submission_id = match.group(1)
    assert page.locator(".receipt-title").inner_text() == title
    assert page.locator("[data-receipt]").get_attribute("data-receipt") == submission_id
    assert page.locator(".receipt-status").is_visible()
    assert EMAIL not in page.content()
    context.close()
    assert foreign == []

    check_delivery(stack, submission_id, title, "Léa Martin")


def test_form_without_javascript_posts_twice_and_lands_on_the_receipt(browser: Any, stack: Stack) -> None:
    foreign: list[str] = []
    context = local_context(browser, foreign, java_script_enabled=False)
    page = context.new_page()
    page.goto(stack.site + "send/")
    assert page.locator("#send-form [name=csrf_token]").input_value() == ""

    title = "Letters from the night ferry"
    typed = {"name": "Sam Reader", "email": EMAIL, "title": title,
             "text": "The ferry leaves at midnight.\n\nNobody sleeps on the upper deck."}
    for field, value in typed.items():
        page.locator(f"#send-{field}").fill(value)
    page.locator("#send-section").select_option(SECTION)
    page.locator("#send-consent").check()

    # 1. A plain post without a token: the form comes back from the service, filled in, with a token.
    with page.expect_navigation() as first:
        page.locator("button.send-submit").click()
    assert first.value is not None and first.value.status == 422
    assert page.url == stack.service + "submissions"
    assert TOKEN_ERROR in page.locator('[data-error-for="form"]').inner_text()
    assert page.locator('[data-error-for="form"]').is_visible()
    assert values(page, "name", "title", "text") == {k: typed[k] for k in ("name", "title", "text")}
    assert page.locator("#send-section").input_value() == SECTION
    assert page.locator("#send-consent").is_checked()
    assert page.locator("#send-form [name=csrf_token]").input_value() != ""

    # 2. Send again once the token allows it: 303 to the receipt.
    page.wait_for_timeout(MIN_FILL * 1000 + 300)
    with page.expect_navigation() as second:
        page.locator("button.send-submit").click()
    final = second.value
    assert final is not None and final.status == 200
    redirect = final.request.redirected_from
    assert redirect is not None and redirect.method == "POST"
    assert redirect.response() is not None and redirect.response().status == 303
    match = stack.receipt_pattern().match(page.url)
    assert match is not None, page.url
    assert page.locator(".receipt-title").inner_text() == title
    assert EMAIL not in page.content()
    context.close()
    assert foreign == []

    check_delivery(stack, match.group(1), title, "Sam Reader")
