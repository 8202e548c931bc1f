"""Putting the service together from its settings, and running it on uvicorn (the one module
that imports uvicorn)."""

from __future__ import annotations


import fcntl
import logging
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Callable, Mapping

import uvicorn

from datetime import datetime, timezone

from masthead.domain.events import Event
from masthead.domain.problems import ContentError, UsageError
from masthead.domain.site import Settings
from masthead.domain.submissions import FormRules
from masthead.forge import Forge
from masthead.sources.load import load_settings

from .accreditations import Accreditations
from .checking import Checker
from .clients import Network, parse_networks
from .backends import Backend, GitHubBackend, LocalBackend
from .pages import Pages
from .ratelimit import RateLimit
from .settings import ServiceFields, form_urls, load_service_settings
from .store import Store
from .tokens import Tokens, load_secret
from .worker import Site, Worker

log = logging.getLogger(__name__)


@dataclass
class Service:
    fields: ServiceFields
    settings: Settings
    rules: FormRules
    store: Store
    tokens: Tokens
    limiter: RateLimit
    worker: Worker
    pages: Pages
    receipt_limiter: RateLimit
    checks: Checker
    proxies: tuple[Network, ...] = ()
    clock: Callable[[], float] = time.time
    lock: IO[str] | None = field(default=None, repr=False)
    accreditations: Accreditations | None = None  # docs/send-text.md, "Accreditation"
    events: dict[str, list[Event]] = field(default_factory=dict)  # by event id: every version

    def open_events(self, now: float) -> dict[str, str]:
        """The events taking accreditation requests at `now`: those with the form, not yet over."""
        moment = datetime.fromtimestamp(now, timezone.utc)
        return {eid: versions[0].title for eid, versions in self.events.items()
                if any(v.accreditation for v in versions) and max(v.end for v in versions) > moment}


def load_accreditation_events(root: Path, settings: Settings) -> dict[str, list[Event]]:
    """The magazine's events by id (its original's slug), read as the site build reads them."""
    from masthead.domain.events import groups
    from masthead.sources.events import load_events

    from .accreditation_page import event_id

    events, _ = load_events(root, settings, (), ())  # `masthead check` reports their problems
    by_content = {e.content_path: e for e in events}
    return {event_id(versions[0], by_content): versions for versions in groups(events).values()}


def make_backend(fields: ServiceFields, environ: Mapping[str, str]) -> Backend:
    if fields.backend == "local":
        return LocalBackend(Path(fields.repository), fields.base_branch, fields.push_remote)
    token = environ.get(fields.token_env, "")
    if not token:
        raise UsageError(f"the github backend needs a token in the environment variable {fields.token_env} "
                         "(a fine-grained token with write access to contents and pull requests)")
    forge = Forge(fields.repository, token, fields.github_api_url, token_hint=fields.token_env)
    return GitHubBackend(forge, fields.base_branch)


def lock_data_dir(folder: Path) -> IO[str]:
    """One service per store: a second one would deliver the same submissions twice."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle = open(folder / "service.lock", "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise UsageError(f"another 'masthead formbot' is already running with the store in {folder}; "
                         "stop it first, or give this one its own data_dir") from None
    return handle


def build_service(root: Path, environ: Mapping[str, str] | None = None) -> Service:
    """Read every setting (all problems at once), open the store and prepare the worker."""
    environ = os.environ if environ is None else environ
    fields = load_service_settings(root, environ)
    settings, problems = load_settings(root)
    if settings is None:
        raise ContentError(problems)
    data_dir = Path(fields.data_dir)
    lock = lock_data_dir(data_dir)
    store = Store(data_dir)
    backend = make_backend(fields, environ)
    rules = FormRules(tuple(s.id for s in settings.sections), settings.languages, settings.language,
                      settings.licence)
    tokens = Tokens(load_secret(environ.get(fields.secret_env), data_dir), fields.min_fill_seconds,
                    fields.token_max_age)
    worker = Worker(store, backend, fields, Site(settings.language, settings.timezone, settings.url))
    pages = Pages(root / "theme", replace(settings, url=fields.site_url), form_urls(root, environ))
    events = load_accreditation_events(root, settings)
    pages.events = events
    return Service(fields, settings, rules, store, tokens, RateLimit(fields.rate_limit), worker, pages,
                   RateLimit(fields.receipt_rate_limit), Checker(fields.check_workers, fields.check_seconds),
                   parse_networks(fields.forwarded_allow_ips), lock=lock,
                   accreditations=Accreditations(data_dir), events=events)


def run(service: Service, host: str, port: int) -> None:
    """Serve until interrupted; the worker starts and stops with the application."""
    from .app import create_app

    log.info("formbot on http://%s:%d (backend %s, store %s)", host, port, service.fields.backend,
             service.fields.data_dir)
    # The service reads X-Forwarded-For itself (clients.py: only from trusted proxies, right-most
    # untrusted address); uvicorn's own reading would rewrite the peer address before we see it.
    # No access log: a receipt's address is its secret. The application logs what matters, by
    # public reference only.
    uvicorn.run(create_app(service), host=host, port=port, proxy_headers=False, log_level="info", access_log=False)
