"""Fixtures for the send-text service: a tiny real magazine in a bare upstream repository and a
clone of it in tmp_path, the service running on 127.0.0.1 (in a thread, or as a process), and
the GitHub stand-in."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import httpx
import pytest
import uvicorn

from masthead.submissions.app import create_app
from masthead.submissions.service import Service, build_service
from masthead.submissions.store import Store

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))  # github_standin is a helper module next to the tests

from github_standin import GitHubStandIn  # noqa: E402

THEME = HERE.parents[1] / "theme"
ORIGIN = "http://site.test"
EMAIL = "private.person+mag@example.net"  # the contact address every privacy test hunts for

MAGAZINE = """\
title: Test Weekly
language: en
languages: [en, ru]
timezone: Europe/Paris
licence: CC BY-SA 4.0
sections:
  - id: city
    title: City
  - id: letters
    title: Letters
"""
MKDOCS = "site_name: Test Weekly\nsite_url: http://site.test/\n"
ANNA = "name: Anna Example\nroles: [author]\njoined: 2025-01-01\n"
STORY = """\
---
title: "An old story"
authors: [anna]
date: 2025-03-01 10:00
section: city
summary: "Already here."
---

Old text.
"""


def git(cwd: Path, *args: str) -> str:
    """Run git in `cwd`; tests use the real git command line to check what the service did."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "Editor", "GIT_AUTHOR_EMAIL": "editor@example.org",
           "GIT_COMMITTER_NAME": "Editor", "GIT_COMMITTER_EMAIL": "editor@example.org"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def magazine_files() -> dict[str, str]:
    return {"site_config/magazine.yml": MAGAZINE, "site_config/mkdocs.yml": MKDOCS,
            "contributors/anna.yml": ANNA, "content/city/an-old-story.md": STORY}


@pytest.fixture(scope="session")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository holding the tiny magazine and the theme, made once."""
    return seed_repo(tmp_path_factory.mktemp("seed"))


def seed_repo(root: Path) -> Path:
    """Write the tiny magazine and the theme into `root` and commit them on `main`."""
    for path, text in magazine_files().items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    shutil.copytree(THEME, root / "theme")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "The tiny magazine")
    return root


@dataclass
class Magazine:
    upstream: Path  # the bare repository editors pull from
    clone: Path  # the service's repository, with a work tree the service must never touch
    data: Path  # the service's private store

    def branches(self, where: Path | None = None) -> list[str]:
        out = git(where or self.upstream, "for-each-ref", "--format=%(refname:short)", "refs/heads/submissions/")
        return sorted(out.split())

    def show(self, branch: str, path: str, where: Path | None = None) -> str:
        return git(where or self.upstream, "show", f"{branch}:{path}")

    def files(self, branch: str) -> list[str]:
        """Files the branch adds to main."""
        return sorted(git(self.upstream, "diff", "--name-only", f"main...{branch}").split())


def make_magazine(seed: Path, folder: Path) -> Magazine:
    upstream, clone = folder / "upstream.git", folder / "clone"
    git(folder, "clone", "-q", "--bare", str(seed), str(upstream))
    git(folder, "clone", "-q", str(upstream), str(clone))
    return Magazine(upstream, clone, folder / "private")


@pytest.fixture
def magazine(seed: Path, tmp_path: Path) -> Magazine:
    return make_magazine(seed, tmp_path)


@pytest.fixture(scope="module")
def module_magazine(seed: Path, tmp_path_factory: pytest.TempPathFactory) -> Magazine:
    """A magazine shared by a module's tests (each gets its own store through `fresh_store`)."""
    return make_magazine(seed, tmp_path_factory.mktemp("magazine"))


@pytest.fixture
def fresh_store(module_magazine: Magazine, tmp_path: Path) -> Magazine:
    return Magazine(module_magazine.upstream, module_magazine.clone, tmp_path / "private")


def service_env(mag: Magazine, port: int, **overrides: Any) -> dict[str, str]:
    env = {"MASTHEAD_SUBMISSIONS_DATA_DIR": str(mag.data),
           "MASTHEAD_SUBMISSIONS_SERVICE_URL": f"http://127.0.0.1:{port}/",
           "MASTHEAD_SUBMISSIONS_ALLOWED_ORIGINS": ORIGIN,
           "MASTHEAD_SUBMISSIONS_MIN_FILL_SECONDS": "0",
           "MASTHEAD_SUBMISSIONS_RATE_LIMIT": "10000/minute",
           "MASTHEAD_SUBMISSIONS_RETRY_BASE_SECONDS": "0.05",
           "MASTHEAD_SUBMISSIONS_RETRY_MAX_SECONDS": "0.5",
           "MASTHEAD_SUBMISSIONS_PUSH_REMOTE": "origin",
           "MASTHEAD_SUBMISSIONS_REFRESH_SECONDS": "3600",
           "MASTHEAD_FORM_SECRET": "test-secret",
           "HOME": str(mag.data.parent)}
    env.update({f"MASTHEAD_SUBMISSIONS_{k.upper()}": str(v) for k, v in overrides.items()})
    return env


def valid(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {"name": "Léa Martin", "title": "Night buses on the quay", "section": "city",
                              "lang": "en", "text": "The 7 bus runs all night.\n\nIt is full at 3 a.m.",
                              "email": EMAIL, "consent": "yes"}
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}


@dataclass
class Running:
    """The service on 127.0.0.1, with a small client for tests."""

    url: str
    svc: Service
    mag: Magazine
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=20, verify=False))  # plain HTTP; no CA load

    def token(self) -> str:
        return str(self.client.get(self.url + "submissions/token").json()["token"])

    def post(self, fields: dict[str, Any], *, as_json: bool = True, token: str | None = "fresh",
             origin: str | None = ORIGIN, headers: dict[str, str] | None = None) -> httpx.Response:
        data = dict(fields)
        if token == "fresh":
            data["csrf_token"] = self.token()
        elif token is not None:
            data["csrf_token"] = token
        head = {"Origin": origin} if origin else {}
        head.update(headers or {})
        if as_json:
            head.setdefault("Accept", "application/json")
            return self.client.post(self.url + "submissions", json=data, headers=head)
        return self.client.post(self.url + "submissions", data=data, headers=head, follow_redirects=False)

    def wait_for(self, ids: list[str], status: str = "in-review", timeout: float = 20) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            records = [self.svc.store.get(i) for i in ids]
            if all(r is not None and r.status == status for r in records):
                return
            time.sleep(0.02)
        states = {i[:8]: (r.status, r.last_error) if r else None for i, r in zip(ids, records)}
        raise AssertionError(f"not all {status} after {timeout} s: {states}")

    def stop(self) -> None:
        self.client.close()
        if self.server is not None and self.thread is not None:
            self.server.should_exit = True
            self.thread.join(15)
        self.svc.store.close()
        if self.svc.lock is not None:
            self.svc.lock.close()


def start_service(mag: Magazine, environ: dict[str, str] | None = None, **overrides: Any) -> Running:
    port = free_port()
    env = environ or service_env(mag, port, **overrides)
    if environ is not None:
        env["MASTHEAD_SUBMISSIONS_SERVICE_URL"] = f"http://127.0.0.1:{port}/"
    svc = build_service(mag.clone, env)
    # As `masthead formbot` runs it: the service, not uvicorn, reads X-Forwarded-For.
    server = uvicorn.Server(uvicorn.Config(create_app(svc), host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on", proxy_headers=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 10
    while not server.started:
        if time.time() > deadline or not thread.is_alive():
            raise RuntimeError("the service did not start")
        time.sleep(0.01)
    return Running(f"http://127.0.0.1:{port}/", svc, mag, server, thread)


@pytest.fixture
def service(magazine: Magazine) -> Iterator[Running]:
    running = start_service(magazine)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def shared_service(seed: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """One service for a module's tests that only read, or are refused (nothing is delivered)."""
    running = start_service(make_magazine(seed, tmp_path_factory.mktemp("shared")))
    yield running
    running.stop()


@pytest.fixture
def launch(request: pytest.FixtureRequest) -> Iterator[Callable[..., Running]]:
    """Start the service with other settings: `launch(min_fill_seconds=2)`."""
    started: list[Running] = []

    # Tests that only need a store of their own ask for `fresh_store`; the others get a magazine.
    magazine = request.getfixturevalue("fresh_store" if "fresh_store" in request.fixturenames else "magazine")

    def go(environ: dict[str, str] | None = None, **overrides: Any) -> Running:
        running = start_service(magazine, environ, **overrides)
        started.append(running)
        return running

    yield go
    for running in started:
        running.stop()


@pytest.fixture
def standin() -> Iterator[GitHubStandIn]:
    server = GitHubStandIn().start()
    yield server
    server.stop()


FORMBOT = """
import argparse, logging, sys
from masthead.commands.formbot import run_command
logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
run_command(argparse.Namespace(root=sys.argv[1], host="127.0.0.1", port=int(sys.argv[2])))
"""


@dataclass
class Process:
    """`masthead formbot` as a real process, to be killed with SIGKILL."""

    mag: Magazine
    env: dict[str, str]
    port: int
    proc: subprocess.Popen[bytes] | None = None
    logs: list[Path] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        log = self.mag.data.parent / f"formbot-{len(self.logs)}.log"
        self.logs.append(log)
        with open(log, "wb") as out:
            # `masthead formbot`'s own function, without the rest of the CLI (other commands are
            # written concurrently and must not make this test fail).
            self.proc = subprocess.Popen([sys.executable, "-c", FORMBOT, str(self.mag.clone), str(self.port)],
                                         env={**os.environ, **self.env}, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                if httpx.get(self.url + "health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("formbot did not start: " + log.read_text(errors="replace"))

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_text(self) -> str:
        return "".join(p.read_text(errors="replace") for p in self.logs if p.exists())


@pytest.fixture
def process(magazine: Magazine) -> Iterator[Process]:
    port = free_port()
    proc = Process(magazine, service_env(magazine, port, workers=1), port)
    yield proc
    proc.stop()


def open_store(mag: Magazine) -> Store:
    return Store(mag.data)
