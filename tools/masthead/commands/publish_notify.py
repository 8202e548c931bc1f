"""`masthead publish-notify`: tell a WebSub hub which feeds changed in the last deploy.

Which feeds changed is read from the build's own record, `feeds/digests.json` (each feed's
address and the key of what it shows; site/feeds.py writes it through the planner, so it is
the same after an incremental and a clean build). It is compared with the record of the
previous deploy: `--changed-from FILE` (e.g. the copy fetched from the site before
deploying), or else the record this command saved after its last run, beside the site in
`websub.json` in the build state (masthead.state). Without either, every feed is announced once.
A feed whose ping failed is not recorded, so the next run announces it again.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from masthead.domain.problems import UsageError

from .common import repo_root

log = logging.getLogger(__name__)
TIMEOUT = 20.0  # seconds for each ping; a hub answers a publish ping at once (the fetch comes later)
RECORD = "websub.json"

HELP = """\
Pings the WebSub hub (`websub_hub` in site_config/magazine.yml, or --hub) for each feed that
changed since the last deploy: one POST of hub.mode=publish&hub.url=<feed> per feed.
Run it after the site is online (the publish workflow does), since the hub fetches the feed.

Examples:
  masthead publish-notify                                   # site/ against the last run's record
  masthead publish-notify --site-dir _site --changed-from previous-digests.json
  masthead publish-notify --hub https://hub.example.net/ --dry-run
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("publish-notify", help="ping the WebSub hub for the feeds that changed",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--site-dir", metavar="DIR", type=Path, default=None, help="the built site (default: site/)")
    p.add_argument("--hub", metavar="URL", default=None, help="the hub (default: websub_hub of the build)")
    p.add_argument("--changed-from", metavar="FILE", type=Path, default=None,
                   help="feeds/digests.json of the previous deploy (default: this command's last record)")
    p.add_argument("--dry-run", action="store_true", help="list the feeds that would be announced; send nothing")
    p.set_defaults(run=run)


def read_digests(path: Path, what: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: {what} not found; build the site first (masthead build)") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: {what} is not readable JSON ({exc}); rebuild the site") from None
    if not isinstance(data, dict) or not isinstance(data.get("feeds"), dict):
        raise UsageError(f"{path}: field 'feeds': expected a mapping of feed address to key; rebuild the site")
    return data


def changed_feeds(current: dict[str, str], previous: dict[str, str]) -> list[str]:
    """Feeds that are new or whose key differs, in address order."""
    return sorted(url for url, key in current.items() if previous.get(url) != key)


def ping(hub: str, feed: str, timeout: float = TIMEOUT) -> str | None:
    """One WebSub publish ping; None when the hub took it, else why not."""
    body = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": feed}).encode()
    request = urllib.request.Request(hub, data=body, method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded",
                                              "User-Agent": "masthead publish-notify"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - an http(s) URL, checked
            return None if 200 <= response.status < 300 else f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        return f"no answer ({getattr(exc, 'reason', exc)})"


def hub_label(hub: str) -> str:
    """The hub as logged: scheme and host only, since a hub's path or query may hold a token."""
    parts = urllib.parse.urlsplit(hub)
    return f"{parts.scheme}://{parts.hostname or ''}{':' + str(parts.port) if parts.port else ''}/"


def run(args: argparse.Namespace) -> int:
    from masthead.domain.urls import FEED_DIGESTS
    from masthead.site.freshness import records_of

    site_dir = (args.site_dir or repo_root(args) / "site").resolve()
    current = read_digests(site_dir / FEED_DIGESTS, "the feed record")
    hub = args.hub if args.hub is not None else str(current.get("hub") or "")
    if not hub:
        print("masthead publish-notify: no WebSub hub (set websub_hub in site_config/magazine.yml or pass --hub)")
        return 0
    if urllib.parse.urlsplit(hub).scheme not in ("http", "https"):
        raise UsageError(f"--hub: expected an http(s):// address, found {hub!r}")
    record = records_of(repo_root(args), site_dir) / RECORD  # in the build state, outside the tree
    source = args.changed_from or record
    # an explicit --changed-from must exist; our own record is missing on a first run (all feeds are new)
    previous = read_digests(source, "the previous feed record")["feeds"] if args.changed_from or source.exists() else {}
    todo = changed_feeds(current["feeds"], previous)
    if args.dry_run:
        for feed in todo:
            print(feed)
        print(f"masthead publish-notify: {len(todo)} feed(s) would be announced to {hub_label(hub)}")
        return 0
    return announce(hub, todo, current["feeds"], previous, record)


def announce(hub: str, todo: list[str], current: dict[str, str], previous: dict[str, str], record: Path) -> int:
    failed: dict[str, str] = {}
    for feed in todo:
        why = ping(hub, feed)
        if why is not None:
            failed[feed] = why
            print(f"masthead publish-notify: {feed}: the hub {hub_label(hub)} refused the ping: {why}",
                  file=sys.stderr)
    kept = {url: key for url, key in current.items() if url not in failed}
    kept.update({url: previous[url] for url in failed if url in previous})
    record.parent.mkdir(parents=True, exist_ok=True)
    tmp = record.with_suffix(".tmp")
    tmp.write_text(json.dumps({"version": 1, "feeds": dict(sorted(kept.items()))}, indent=1), encoding="utf-8")
    tmp.replace(record)
    print(f"masthead publish-notify: {len(todo) - len(failed)} of {len(todo)} changed feed(s) announced "
          f"to {hub_label(hub)}")
    return 1 if failed else 0
