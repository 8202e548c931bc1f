"""A simulated GitHub Actions runner: it reads a workflow file and runs its jobs' `run:` steps in
order, with bash as GitHub runs them (`bash --noprofile --norc -eo pipefail`), in a clone of a
bare origin, with the event payload in GITHUB_EVENT_PATH, GITHUB_OUTPUT and GITHUB_ENV files,
`${{ }}` expressions and `if:` conditions evaluated, and a stub `gh` on PATH (gh_stub.py) that
answers like GitHub's REST API and records every call; `curl` (curl_stub.py) answers only for
the simulated Pages site, from what its last deploy put there.

`uses:` steps are simulated minimally: checkout moves the prepared clone to the ref asked for;
setup-python puts a `python` on PATH that checks pip installs against the lock (pip_shim.py);
upload/download-artifact and the Pages actions copy folders in a local artifact store.
What only GitHub can show (scheduling, approval of fork runs, permissions, the real Pages
deployment) is listed in docs/editorial.md."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

HERE = Path(__file__).resolve().parent
REPOSITORY = "confluence-mag/confluence"
PAGES_URL = "https://confluence-mag.github.io/confluence"


# --- expressions: the subset of GitHub's expression language the workflows use ---------------

TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||[!(),.*\[\]<>])"
                   r"|(?P<id>[A-Za-z_][A-Za-z0-9_-]*))")


def tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(f"cannot read the expression at: {text[pos:]!r}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def _loose(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def truthy(value: Any) -> bool:
    return value not in (None, False, 0, "", -0.0)


def text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


class Expression:
    """Recursive descent over `or := and ('||' and)*; and := cmp ('&&' cmp)*; cmp := unary
    (('=='|'!=') unary)?; unary := '!' unary | primary`, with property paths, `.*` filters and
    the functions success(), failure(), always(), cancelled(), contains(), startsWith(), fromJSON()."""

    def __init__(self, text: str, context: dict[str, Any], status: str) -> None:
        self.toks, self.i, self.ctx, self.status = tokens(text), 0, context, status

    def peek(self) -> str:
        return self.toks[self.i][1] if self.i < len(self.toks) else ""

    def take(self, want: str | None = None) -> tuple[str, str]:
        tok = self.toks[self.i]
        if want is not None and tok[1] != want:
            raise ValueError(f"expected {want!r}, found {tok[1]!r}")
        self.i += 1
        return tok

    def value(self) -> Any:
        result = self.or_()
        if self.i != len(self.toks):
            raise ValueError(f"unexpected {self.peek()!r}")
        return result

    def or_(self) -> Any:
        left = self.and_()
        while self.peek() == "||":
            self.take()
            right = self.and_()
            left = left if truthy(left) else right
        return left

    def and_(self) -> Any:
        left = self.cmp()
        while self.peek() == "&&":
            self.take()
            right = self.cmp()
            left = right if truthy(left) else left
        return left

    def cmp(self) -> Any:
        left = self.unary()
        if self.peek() in ("==", "!="):
            op = self.take()[1]
            right = self.unary()
            same = _loose(left) == _loose(right)
            return same if op == "==" else not same
        return left

    def unary(self) -> Any:
        if self.peek() == "!":
            self.take()
            return not truthy(self.unary())
        return self.primary()

    def primary(self) -> Any:
        kind, text = self.take()
        if text == "(":
            inner = self.or_()
            self.take(")")
            return inner
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind == "num":
            return float(text) if "." in text else int(text)
        if text in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[text]
        if self.peek() == "(":
            return self.call(text)
        return self.path(self.ctx.get(text))

    def path(self, value: Any) -> Any:
        while self.peek() in (".", "["):
            if self.take()[1] == "[":
                key = self.or_()
                self.take("]")
            else:
                key = self.take()[1]
            if key == "*":
                value = list(value.values()) if isinstance(value, dict) else list(value or [])
                continue
            if isinstance(value, list) and not isinstance(key, int):
                value = [v.get(key) if isinstance(v, dict) else None for v in value]
            elif isinstance(value, dict):
                value = value.get(key)
            elif isinstance(value, list):
                value = value[key] if 0 <= key < len(value) else None
            else:
                value = None
        return value

    def call(self, name: str) -> Any:
        self.take("(")
        args = []
        while self.peek() != ")":
            args.append(self.or_())
            if self.peek() == ",":
                self.take()
        self.take(")")
        name = name.casefold()
        if name == "success":
            return self.status == "success"
        if name == "failure":
            return self.status == "failure"
        if name == "always":
            return True
        if name == "cancelled":
            return self.status == "cancelled"
        if name == "contains":
            haystack, needle = args
            if isinstance(haystack, list):
                return any(_loose(h) == _loose(needle) for h in haystack)
            return _loose(text_of(needle)) in _loose(text_of(haystack))
        if name == "startswith":
            return _loose(text_of(args[0])).startswith(_loose(text_of(args[1])))
        if name == "fromjson":
            return json.loads(args[0])
        raise ValueError(f"the simulated runner does not know the function {name}()")


STATUS_FUNCTIONS = re.compile(r"\b(success|failure|always|cancelled)\s*\(", re.I)


def condition(text: Any, context: dict[str, Any], status: str) -> bool:
    """An `if:`; without a status function it means `success() && (...)`, as on GitHub."""
    if text is None:
        return status == "success"
    if isinstance(text, bool):
        return text and status == "success"
    expr = str(text).strip()
    if expr.startswith("${{") and expr.endswith("}}"):
        expr = expr[3:-2]
    result = truthy(Expression(expr, context, status).value())
    return result if STATUS_FUNCTIONS.search(expr) else result and status == "success"


def interpolate(text: Any, context: dict[str, Any], status: str = "success") -> str:
    def one(m: re.Match[str]) -> str:
        return text_of(Expression(m.group(1), context, status).value())

    return re.sub(r"\$\{\{(.*?)\}\}", one, text_of(text), flags=re.S)


# --- the runner -----------------------------------------------------------------------------------

@dataclass
class Step:
    name: str
    outcome: str  # success, failure or skipped
    conclusion: str  # the same, except success for a failed step with continue-on-error
    log: str = ""


@dataclass
class JobResult:
    name: str
    conclusion: str  # success, failure or skipped
    steps: list[Step] = field(default_factory=list)

    def log(self) -> str:
        return "\n".join(f"--- {s.name}: {s.outcome}\n{s.log}" for s in self.steps)

    def step(self, name: str) -> Step:
        return next(s for s in self.steps if s.name == name)


@dataclass
class World:
    """What outlives one run: the bare origin, the artifact store, GitHub's state (pull
    requests, comments) kept by the stub `gh`, and what Pages serves."""

    root: Path
    origin: Path
    venv_bin: Path = Path(sys.executable).parent

    @property
    def artifacts(self) -> Path:
        return self.root / "artifacts"

    @property
    def state(self) -> Path:
        return self.root / "github.json"

    @property
    def calls(self) -> Path:
        return self.root / "gh-calls.jsonl"

    @property
    def pages(self) -> Path:
        return self.root / "pages"

    def github(self) -> dict[str, Any]:
        return json.loads(self.state.read_text(encoding="utf-8")) if self.state.exists() else {}

    def set_github(self, data: dict[str, Any]) -> None:
        self.state.write_text(json.dumps(data, indent=1), encoding="utf-8")

    def gh_calls(self) -> list[dict[str, Any]]:
        if not self.calls.exists():
            return []
        return [json.loads(line) for line in self.calls.read_text(encoding="utf-8").splitlines() if line]

    def artifact_names(self, run_id: int) -> list[str]:
        folder = self.artifacts / str(run_id)
        return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


Hook = Callable[["Run"], None]


@dataclass
class Run:
    """One run (or re-run) of one workflow for one event."""

    world: World
    workflow: Path
    event_name: str
    event: dict[str, Any]
    sha: str
    ref: str
    run_id: int
    checkout_ref: str | None = None  # what a checkout without `ref:` gets (e.g. refs/pull/N/merge)
    before: dict[str, Hook] = field(default_factory=dict)  # step name -> called before it runs
    fail: set[str] = field(default_factory=set)  # step names that fail, as if GitHub broke
    attempt: int = 1

    def __post_init__(self) -> None:
        self.base = self.world.root / f"run-{self.run_id}-{self.attempt}"
        self.workspace = self.base / "workspace"
        self.temp = self.base / "temp"
        self.bin = self.base / "bin"

    # -- set up ----------------------------------------------------------------------------
    def prepare(self) -> None:
        if self.base.exists():
            shutil.rmtree(self.base)
        self.temp.mkdir(parents=True)
        self.bin.mkdir()
        self.workspace.mkdir()  # empty, as on GitHub: only actions/checkout fills it
        (self.base / "event.json").write_text(json.dumps(self.event), encoding="utf-8")
        python = sys.executable
        for name, target in (("gh", HERE / "gh_stub.py"), ("python", HERE / "pip_shim.py"),
                             ("curl", HERE / "curl_stub.py")):
            script = self.bin / name
            script.write_text(f"#!/bin/sh\nexec {python} {target} \"$@\"\n", encoding="utf-8")
            script.chmod(0o755)
        (self.bin / "python3").symlink_to(self.bin / "python")

    def git(self, *args: str) -> str:
        done = subprocess.run(["git", *args], cwd=self.workspace, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    def env(self) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if k in ("HOME", "LANG", "TMPDIR", "PATH") or k.startswith("LC_")}
        return {**keep,
                "PATH": f"{self.bin}:{self.world.venv_bin}:{os.environ.get('PATH', '/usr/bin:/bin')}",
                "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": self.event_name,
                "GITHUB_EVENT_PATH": str(self.base / "event.json"), "GITHUB_SHA": self.sha,
                "GITHUB_REF": self.ref, "GITHUB_REPOSITORY": REPOSITORY, "GITHUB_WORKSPACE": str(self.workspace),
                "GITHUB_RUN_ID": str(self.run_id), "GITHUB_RUN_ATTEMPT": str(self.attempt),
                "GITHUB_API_URL": "https://api.github.com", "GITHUB_SERVER_URL": "https://github.com",
                "RUNNER_TEMP": str(self.temp), "RUNNER_OS": "Linux",
                "GH_STUB_STATE": str(self.world.state), "GH_STUB_CALLS": str(self.world.calls),
                "GH_STUB_ORIGIN": str(self.world.origin), "GH_STUB_ARTIFACTS": str(self.world.artifacts),
                "PIP_SHIM_LOG": str(self.world.root / "pip-calls.jsonl"),
                "CURL_STUB_PAGES_URL": PAGES_URL, "CURL_STUB_LIVE": str(self.world.pages / "live"),
                "MASTHEAD_REAL_PYTHON": sys.executable}

    def context(self, steps: dict[str, Any]) -> dict[str, Any]:
        return {"github": {"event": self.event, "event_name": self.event_name, "sha": self.sha, "ref": self.ref,
                           "repository": REPOSITORY, "token": "ghs_simulated", "run_id": self.run_id,
                           "workspace": str(self.workspace),
                           "base_ref": (self.event.get("pull_request") or {}).get("base", {}).get("ref", "")},
                "runner": {"temp": str(self.temp), "os": "Linux"}, "steps": steps, "env": {}, "vars": {},
                "secrets": {}, "inputs": {}}

    # -- running ---------------------------------------------------------------------------
    def run(self, jobs: list[str] | None = None) -> dict[str, JobResult]:
        data = load_workflow(self.workflow)
        self.prepare()
        results: dict[str, JobResult] = {}
        for job_id, job in data["jobs"].items():
            if jobs is not None and job_id not in jobs:
                continue
            results[job_id] = self.run_job(job_id, job)
        return results

    def run_job(self, job_id: str, job: dict[str, Any]) -> JobResult:
        result = JobResult(job_id, "success")
        steps: dict[str, Any] = {}
        if not condition(job.get("if"), self.context(steps), "success"):
            result.conclusion = "skipped"
            return result
        extra_env: dict[str, str] = {}
        status = "success"
        for i, step in enumerate(job.get("steps", [])):
            name = step.get("name") or step.get("uses") or f"step {i}"
            ctx = self.context(steps)
            if not condition(step.get("if"), ctx, status):
                result.steps.append(Step(name, "skipped", "skipped"))
                if "id" in step:
                    steps[step["id"]] = {"outcome": "skipped", "conclusion": "skipped", "outputs": {}}
                continue
            if name in self.before:
                self.before[name](self)
            env = {**self.env(), **extra_env,
                   **{k: interpolate(v, ctx, status) for k, v in (step.get("env") or {}).items()}}
            if name in self.fail:
                ok, log, outputs = False, "failed: simulated outage", {}
            elif "run" in step:
                ok, log, outputs, more_env = self.shell(interpolate(step["run"], ctx, status), env,
                                                        step.get("working-directory"))
                extra_env.update(more_env)
            else:
                with_ = {k: interpolate(v, ctx, status) for k, v in (step.get("with") or {}).items()}
                ok, log, outputs = self.action(step["uses"], with_)
            outcome = "success" if ok else "failure"
            conclusion = "success" if ok or step.get("continue-on-error") else "failure"
            result.steps.append(Step(name, outcome, conclusion, log))
            if "id" in step:
                steps[step["id"]] = {"outcome": outcome, "conclusion": conclusion, "outputs": outputs}
            if conclusion == "failure":
                status = "failure"
        result.conclusion = status
        return result

    def shell(self, script: str, env: dict[str, str],
              workdir: str | None) -> tuple[bool, str, dict[str, str], dict[str, str]]:
        path = self.temp / "step.sh"
        path.write_text(script, encoding="utf-8")
        output, envfile = self.temp / "output", self.temp / "env"
        output.write_text("", encoding="utf-8")
        envfile.write_text("", encoding="utf-8")
        env = {**env, "GITHUB_OUTPUT": str(output), "GITHUB_ENV": str(envfile)}
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(path)],
                              cwd=self.workspace / (workdir or ""), env=env, capture_output=True, text=True,
                              timeout=300, stdin=subprocess.DEVNULL)
        return (done.returncode == 0, done.stdout + done.stderr, read_kv(output), read_kv(envfile))

    def action(self, uses: str, with_: dict[str, str]) -> tuple[bool, str, dict[str, str]]:
        name = uses.split("@", 1)[0]
        handler = ACTIONS.get(name)
        if handler is None:
            raise AssertionError(f"the simulated runner has no stand-in for {uses}")
        return handler(self, with_)


def read_kv(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT / GITHUB_ENV: `key=value` lines and `key<<DELIMITER` blocks."""
    out: dict[str, str] = {}
    lines = iter(path.read_text(encoding="utf-8").splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delimiter = line.split("<<", 1)
            block = []
            for more in lines:
                if more == delimiter:
                    break
                block.append(more)
            out[key] = "\n".join(block)
        elif "=" in line:
            key, value = line.split("=", 1)
            out[key] = value
    return out


# --- the actions, simulated minimally ---------------------------------------------------------------

Result = tuple[bool, str, dict[str, str]]


def checkout(run: Run, with_: dict[str, str]) -> Result:
    ref = with_.get("ref") or run.checkout_ref or run.sha
    if not (run.workspace / ".git").exists():
        subprocess.run(["git", "clone", "-q", "--no-checkout", str(run.world.origin), str(run.workspace)],
                       check=True, capture_output=True)
    run.git("fetch", "-q", "origin", "+refs/*:refs/remotes/origin/all/*")
    if re.fullmatch(r"[0-9a-f]{40}", ref):
        target = ref
    elif ref.startswith("refs/"):
        target = "origin/all/" + ref.removeprefix("refs/")
    else:
        target = f"origin/all/heads/{ref}"
    run.git("checkout", "-q", "--detach", target)
    return True, f"checked out {ref} at {run.git('rev-parse', 'HEAD')}", {}


def setup_python(run: Run, with_: dict[str, str]) -> Result:
    assert with_.get("python-version") == "3.11", with_
    cache = with_.get("cache-dependency-path")
    if with_.get("cache") == "pip" and cache and not (run.workspace / cache).is_file():
        return False, f"Error: No file in {run.workspace} matched to [{cache}], make sure you have checked out the target repository", {}
    return True, "python 3.11 (the test's interpreter, behind pip_shim.py)", {}


def upload_artifact(run: Run, with_: dict[str, str]) -> Result:
    source = run.workspace / with_["path"]
    target = run.world.artifacts / str(run.run_id) / with_.get("name", "artifact")
    if not source.exists():
        if with_.get("if-no-files-found", "warn") == "error":
            return False, f"Error: No files were found with the provided path: {with_['path']}", {}
        return True, "no files found; nothing uploaded", {}
    if target.exists():
        shutil.rmtree(target)
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        target.mkdir(parents=True)
        shutil.copy2(source, target / source.name)
    return True, f"uploaded {target.name}", {}


def download_artifact(run: Run, with_: dict[str, str]) -> Result:
    run_id = with_.get("run-id") or str(run.run_id)
    source = run.world.artifacts / run_id / with_["name"]
    if not source.is_dir():
        return False, f"Error: Unable to download artifact(s): Artifact not found for name: {with_['name']}", {}
    target = Path(with_.get("path") or run.workspace)
    target = target if target.is_absolute() else run.workspace / target
    shutil.copytree(source, target, dirs_exist_ok=True)
    return True, f"downloaded {with_['name']}", {}


def configure_pages(run: Run, with_: dict[str, str]) -> Result:
    return True, "pages configured", {"base_url": PAGES_URL, "base_path": "/confluence", "host": "confluence-mag.github.io"}


def upload_pages_artifact(run: Run, with_: dict[str, str]) -> Result:
    return upload_artifact(run, {"name": "github-pages", "path": with_.get("path", "_site"), "if-no-files-found": "error"})


def deploy_pages(run: Run, with_: dict[str, str]) -> Result:
    source = run.world.artifacts / str(run.run_id) / "github-pages"
    if not source.is_dir():
        return False, "Error: No artifact named github-pages in this run", {}
    live = run.world.pages / "live"
    if live.exists():
        shutil.rmtree(live)
    shutil.copytree(source, live)
    with (run.world.pages / "deploys.log").open("a", encoding="utf-8") as log:
        log.write(f"{run.run_id} {run.attempt}\n")
    return True, "deployed", {"page_url": PAGES_URL + "/"}


ACTIONS: dict[str, Callable[[Run, dict[str, str]], Result]] = {
    "actions/checkout": checkout, "actions/setup-python": setup_python,
    "actions/upload-artifact": upload_artifact, "actions/download-artifact": download_artifact,
    "actions/configure-pages": configure_pages, "actions/upload-pages-artifact": upload_pages_artifact,
    "actions/deploy-pages": deploy_pages,
}


def load_workflow(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data  # type: ignore[no-any-return]
