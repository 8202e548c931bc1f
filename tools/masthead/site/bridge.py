"""Files for a fediverse bridge (`fediverse_bridge:` in magazine.yml; none by default).

A static site cannot answer WebFinger queries itself, but it can say where they are answered:
`.well-known/host-meta` (RFC 6415, XRD) and `.well-known/host-meta.json` (its JSON form) carry
an `lrdd` template pointing at the bridge's WebFinger endpoint, which is how fediverse servers
that start from host-meta find an account. When the bridge's actor address is configured, a
static `.well-known/webfinger` (RFC 7033 JRD) answers for the magazine's own account
`acct:<host>@<host>` too, for servers that ask this host directly. docs/reach.md says what the
bridge then reads (the home page's h-card, the stories' h-entry).
"""

from __future__ import annotations

import json
from typing import Any, Callable
from urllib.parse import urlsplit
from xml.sax.saxutils import quoteattr

from .plan import Job, Planner, key_of

HOST_META, HOST_META_JSON, WEBFINGER = ".well-known/host-meta", ".well-known/host-meta.json", ".well-known/webfinger"
OWNER = "site_config/magazine.yml"


def lrdd_template(bridge_url: str) -> str:
    return f"{bridge_url.rstrip('/')}/.well-known/webfinger?resource={{uri}}"


def host_meta(bridge_url: str) -> bytes:
    template = quoteattr(lrdd_template(bridge_url))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
            f'  <Link rel="lrdd" type="application/jrd+json" template={template}/>\n'
            '</XRD>\n').encode("utf-8")


def host_meta_json(bridge_url: str) -> bytes:
    data = {"links": [{"rel": "lrdd", "type": "application/jrd+json", "template": lrdd_template(bridge_url)}]}
    return (json.dumps(data, indent=2) + "\n").encode("utf-8")


def webfinger(site_url: str, actor: str) -> bytes:
    host = urlsplit(site_url).hostname or ""
    data: dict[str, Any] = {
        "subject": f"acct:{host}@{host}",
        "aliases": [site_url, actor],
        "links": [{"rel": "self", "type": "application/activity+json", "href": actor},
                  {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": site_url}],
    }
    return (json.dumps(data, indent=2) + "\n").encode("utf-8")


def plan_bridge(plan: Planner) -> None:
    bridge = plan.settings.bridge
    if bridge is None:
        return
    site_url = plan.settings.url
    files = [(HOST_META, host_meta(bridge.url)), (HOST_META_JSON, host_meta_json(bridge.url))]
    if bridge.actor:
        files.append((WEBFINGER, webfinger(site_url, bridge.actor)))
    for path, data in files:
        plan.add(Job(path, key_of("bridge", path, data), _constant(data)), OWNER)


def _constant(data: bytes) -> Callable[[], bytes]:
    return lambda: data
