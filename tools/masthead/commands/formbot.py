"""`masthead formbot`: run the send-text service (the form's back end and its delivery worker)."""

from __future__ import annotations

import argparse

from masthead.submissions.service import build_service, run

from .common import repo_root

HELP = """\
Runs the service behind the site's /send/ form: it checks each submission, stores it in its
private store (acknowledging only once it is safely on disk), and turns it into a branch
`submissions/<date>-<slug>-<id>` in the repository (backend 'local', the default) or into a
labelled pull request on GitHub (backend 'github'). Deliveries are retried with backoff;
after a crash or a restart, everything acknowledged is delivered exactly once.

Settings come from site_config/submissions.yml and MASTHEAD_SUBMISSIONS_* variables; every
one is described in docs/send-text.md. The store lives outside the repository (data_dir),
because it holds the authors' private contact addresses.

Endpoints: POST /submissions, GET /submissions/token, GET /submissions/<id> (the receipt),
GET /health.

Examples:
  masthead formbot                                  # http://127.0.0.1:8001, local branches
  masthead formbot --port 9000
  MASTHEAD_SUBMISSIONS_BACKEND=github MASTHEAD_SUBMISSIONS_REPOSITORY=owner/magazine \\
    MASTHEAD_GITHUB_TOKEN=... masthead formbot --host 127.0.0.1   # behind a reverse proxy
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("formbot", help="run the send-text service (form back end and delivery)",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1; put a reverse proxy in front for the public)")
    p.add_argument("--port", type=int, default=8001, help="port to listen on (default 8001)")
    p.set_defaults(run=run_command)


def run_command(args: argparse.Namespace) -> int:
    service = build_service(repo_root(args))
    run(service, args.host, args.port)
    return 0
