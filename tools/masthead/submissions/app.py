"""The Starlette application: the one module that imports Starlette.

  POST /submissions          a submission, form-encoded (browsers) or JSON (send.js, tools)
  GET  /submissions/token    a fresh form token (CSRF and the minimum fill time)
  GET  /submissions/{id}     the receipt: HTML for people, JSON when asked for
  GET  /health               liveness and queue sizes, for the reverse proxy and monitoring

Errors are translated here and only here: 413 (too large), 429 (rate limit), 403 (foreign
origin), 400/415 (unreadable), 422 with every field's problem at once, 503 (too busy to check
the text in time), and 500 with a sentence (and one log line) for a bug.

A post costs little until it has passed the cheap checks, in this order: origin, rate limit
(per client address, see clients.py), body size (counted while it streams in), parsing, the
honeypot and the token. Only then is the text cleaned and escaped, in a thread with a time
budget (checking.py). The token is spent in the same transaction that stores the submission.
"""

from __future__ import annotations

import logging
import uuid
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, AsyncGenerator, AsyncIterator, Awaitable, Callable

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from masthead.domain.submissions import PROOF_KEY, FieldError, Submission, short_id, validate_submission

from .checking import Busy, Checker
from .clients import client_address
from .forms import HONEYPOT, KEY, TOKEN, UI_LANG, BodyError, keep_known, parse_json, parse_urlencoded
from .pages import receipt_view
from .settings import origin_of
from .tokens import SPENT, TOO_FAST, key_matches

if TYPE_CHECKING:
    from .service import Service

NO_STORE = {"Cache-Control": "no-store"}
log = logging.getLogger(__name__)


def wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept or request.headers.get("content-type", "").startswith("application/json")


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refusing (413) as soon as it passes `limit` bytes, whatever Content-Length says."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyError(f"the request is larger than {limit // 1000} KB; shorten the text", status=413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyError(f"the request is larger than {limit // 1000} KB; shorten the text", status=413)
        chunks.append(chunk)
    return b"".join(chunks)


async def parse_body(request: Request, body: bytes, checks: Checker) -> dict[str, Any]:
    """The body's fields; forms and JSON are parsed in a worker process (their cost grows with
    the body), multipart by Starlette's streaming parser."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        return await checks.run(parse_urlencoded, body, size=len(body))
    if kind == "application/json":
        return await checks.run(parse_json, body, size=len(body))
    if kind == "multipart/form-data":
        async def once() -> AsyncGenerator[bytes, None]:
            yield body
            yield b""
        try:
            form = await MultiPartParser(request.headers, once(), max_files=0, max_fields=50).parse()
        except MultiPartException as exc:
            raise BodyError(f"the form could not be read: {exc.message}") from None
        except (KeyError, ValueError, UnicodeDecodeError):
            raise BodyError("the multipart form could not be read (no boundary, or broken parts); send it "
                            "from a browser") from None
        return keep_known([(k, v) for k, v in form.multi_items() if isinstance(v, str)])
    raise BodyError("send the submission as a form (application/x-www-form-urlencoded) or as JSON",
                    status=415)


def bot_errors(svc: "Service", data: dict[str, Any], now: float, spent: Callable[[str], bool] | None = None,
               retry: str = "check your text and send it again (reload the page if this repeats)") -> list[FieldError]:
    """The cheap checks (honeypot, token), as field errors so a person who trips one sees what to do;
    `spent` tells a used token's nonce (default: the submissions' store), `retry` what to do next."""
    errors = []
    if str(data.get(HONEYPOT) or "").strip():
        errors.append(FieldError(HONEYPOT, "honeypot", "leave the field 'homepage' empty: it is there to catch robots"))
    token = data.get(TOKEN)
    problem = svc.tokens.check(token if isinstance(token, str) else "", now)
    if problem is None and (spent or svc.store.is_spent)(svc.tokens.nonce(str(token))[0]):
        problem = SPENT
    if problem == TOO_FAST:
        errors.append(FieldError("form", "too_fast", "the form was sent too quickly; wait a few seconds and send "
                                 "it again"))
    elif problem is not None:
        errors.append(spent_error() if problem == SPENT else FieldError(
            "form", "token", f"the form's token is {problem}; {retry}"))
    return errors


def spent_error() -> FieldError:
    return FieldError("form", "token", "the form's token is spent: this form was sent already; check your "
                      "receipt, or reload the page to send another text")


def guarded(handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """A bug answers 500 with a sentence and one log line, never a traceback to the client."""
    async def run(request: Request) -> Response:
        try:
            return await handler(request)
        except Exception as exc:
            log.error("%s %s failed: %s: %s", request.method, request.url.path, type(exc).__name__,
                      str(exc)[:200])
            return JSONResponse({"error": "the service met an error it did not expect; your text was not kept; "
                                 "please try again later"}, status_code=500, headers=NO_STORE)
    return run


class Handlers:
    def __init__(self, svc: "Service") -> None:
        self.svc = svc

    def _refuse(self, request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        headers = {**NO_STORE, **(headers or {})}
        if wants_json(request):
            return JSONResponse({"error": message}, status_code=status, headers=headers)
        return HTMLResponse(self.svc.pages.message(self.svc.pages.lang(None), message), status_code=status,
                            headers=headers)

    def _invalid(self, request: Request, data: dict[str, Any], errors: list[FieldError],
                 token: str | None = None) -> Response:
        """422 with every problem. The token comes back as it was when it is still good (only the
        fields were wrong); otherwise a fresh one, which waits the full minimum fill time."""
        svc = self.svc
        token = token or svc.tokens.issue(svc.clock())
        if wants_json(request):
            return JSONResponse({"errors": [{"field": e.field, "code": e.code, "message": e.message,
                                             "params": e.params} for e in errors], "token": token},
                                status_code=422, headers=NO_STORE)
        values = {k: v for k, v in data.items() if k not in (TOKEN, HONEYPOT, KEY) and isinstance(v, str)}
        html = svc.pages.form(svc.pages.lang(_text(data.get(UI_LANG))), values, errors, token)
        return HTMLResponse(html, status_code=422, headers=NO_STORE)

    def client(self, request: Request) -> str:
        peer = request.client.host if request.client else "unknown"
        return client_address(peer, request.headers.getlist("x-forwarded-for"), self.svc.proxies)

    def gate(self, request: Request, what: str) -> Response | None:
        """The checks in front of every post (its origin, then the shared rate limit, counted
        in `what`): the refusal, or None when the post may be read."""
        svc = self.svc
        origin = request.headers.get("origin")
        # The service's own origin too: without JavaScript, the second post comes from the form it shows.
        allowed_origins = (*svc.fields.allowed_origins, origin_of(svc.fields.service_url))
        if origin is not None and origin.rstrip("/") not in allowed_origins:
            return self._refuse(request, 403, f"posting is only allowed from {', '.join(svc.fields.allowed_origins)}")
        allowed, wait = svc.limiter.allow(self.client(request))
        if not allowed:
            return self._refuse(request, 429, f"too many {what} from your address; try again in {wait} s",
                                {"Retry-After": str(wait)})
        return None

    async def submit(self, request: Request) -> Response:
        svc = self.svc
        refused = self.gate(request, "submissions")
        if refused is not None:
            return refused
        try:
            body = await read_body(request, svc.fields.max_body_bytes)
            data = await parse_body(request, body, svc.checks)
        except BodyError as exc:
            return self._refuse(request, exc.status, str(exc))
        except Busy as exc:
            return self._refuse(request, 503, str(exc), {"Retry-After": "30"})
        now = svc.clock()
        problems = await run_in_threadpool(bot_errors, svc, data, now)
        if problems:  # the text is not read for a form that fails the cheap checks
            return self._invalid(request, data, problems + validate_submission(data, svc.rules, full=False)[1])
        try:
            sub, field_errors = await svc.checks.run(validate_submission, data, svc.rules, size=len(body))
        except Busy as exc:
            return self._refuse(request, 503, str(exc), {"Retry-After": "30"})
        token = str(data[TOKEN])
        if sub is None:
            return self._invalid(request, data, field_errors, token)
        sub = await run_in_threadpool(prove_identity, svc, sub, _text(data.get(KEY)))
        submission_id = uuid.uuid4().hex
        stored = await run_in_threadpool(svc.store.add, submission_id, sub, datetime.fromtimestamp(now, timezone.utc),
                                         svc.tokens.nonce(token))
        if not stored:  # another post of the same token got there first
            return self._invalid(request, data, [spent_error()])
        svc.worker.wake()
        log.info("submission %s received", short_id(submission_id))
        lang = svc.pages.lang(_text(data.get(UI_LANG)))
        where = f"{svc.fields.service_url}submissions/{submission_id}?lang={lang}"
        if wants_json(request):
            return JSONResponse({"id": submission_id, "receipt": submission_id[:8], "status": "received",
                                 "reference": short_id(submission_id), "receipt_url": where},
                                status_code=201, headers={**NO_STORE, "Location": where})
        return RedirectResponse(where, status_code=303, headers=NO_STORE)

    async def token(self, request: Request) -> Response:
        svc = self.svc
        now = svc.clock()
        return JSONResponse({"token": svc.tokens.issue(now), "min_fill_seconds": svc.fields.min_fill_seconds,
                             "expires_in": svc.fields.token_max_age}, headers=NO_STORE)

    async def receipt(self, request: Request) -> Response:
        svc = self.svc
        allowed, wait = svc.receipt_limiter.allow(self.client(request))
        if not allowed:
            return self._refuse(request, 429, f"too many receipt lookups from your address; try again in {wait} s",
                                {"Retry-After": str(wait)})
        submission_id = request.path_params["id"].lower()
        record = None
        if len(submission_id) == 32 and all(c in "0123456789abcdef" for c in submission_id):
            record = await run_in_threadpool(svc.store.by_receipt, submission_id)
        if record is None:
            return self._refuse(request, 404, "no submission has this receipt; check the address you were given")
        lang = svc.pages.lang(request.query_params.get("lang"))
        if wants_json(request):
            return JSONResponse(receipt_view(record, lang), headers=NO_STORE)
        return HTMLResponse(svc.pages.receipt(record, lang), headers=NO_STORE)

    async def health(self, request: Request) -> Response:
        svc = self.svc
        try:
            counts = await run_in_threadpool(svc.store.counts)
        except Exception as exc:  # the store is what matters: say so, do not crash
            return JSONResponse({"status": "error", "store": str(exc)}, status_code=503, headers=NO_STORE)
        ok = svc.worker.alive()
        return JSONResponse({"status": "ok" if ok else "error", "backend": svc.fields.backend,
                             "workers": "running" if ok else "stopped", "submissions": counts},
                            status_code=200 if ok else 503, headers=NO_STORE)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def prove_identity(svc: "Service", sub: Submission, key: str) -> Submission:
    """The submission with its handle marked proven when the key is that contributor's; an
    unproven handle is only a wish (see masthead.domain.submissions.handle_candidates)."""
    if sub.handle and key_matches(svc.store.key_hash(sub.handle), key):
        return replace(sub, proof=PROOF_KEY)
    return replace(sub, proof="")


# --- accreditation requests for an event (docs/send-text.md, "Accreditation") ------------------

ACC_FIELDS = frozenset({"event", "name", "outlet", "contact", "role", "consent", HONEYPOT, TOKEN, UI_LANG})


class AccreditationHandlers:
    """POST /accreditations and GET /accreditations/received: the submissions' door, limits
    and checks (origin, rate limit, body size, honeypot, token) in front of another store."""

    def __init__(self, handlers: Handlers) -> None:
        self.h, self.svc = handlers, handlers.svc

    async def submit(self, request: Request) -> Response:
        svc, h = self.svc, self.h
        refused = h.gate(request, "requests")
        if refused is not None:
            return refused
        try:
            body = await read_body(request, min(svc.fields.max_body_bytes, 20_000))
            data = await parse_body(request, body, svc.checks)
        except BodyError as exc:
            return h._refuse(request, exc.status, str(exc))
        except Busy as exc:
            return h._refuse(request, 503, str(exc), {"Retry-After": "30"})
        data = {k: v for k, v in data.items() if k in ACC_FIELDS}
        return await self._store(request, data)

    async def _store(self, request: Request, data: dict[str, Any]) -> Response:
        from masthead.domain.accreditation import validate_request

        svc = self.svc
        store = svc.accreditations
        if store is None:
            return self.h._refuse(request, 404, "this magazine takes no accreditation requests")
        now = svc.clock()
        errors = await run_in_threadpool(acc_bot_errors, svc, data, now)
        open_events = svc.open_events(now)
        req, field_errors = validate_request(data, open_events, svc.settings.languages, svc.settings.language)
        if errors or req is None:
            return self._invalid(request, data, errors + field_errors, str(data.get(TOKEN)) if not errors else None)
        request_id = uuid.uuid4().hex
        token = str(data[TOKEN])
        stored = await run_in_threadpool(store.add, request_id, req, datetime.fromtimestamp(now, timezone.utc),
                                         svc.tokens.nonce(token))
        if not stored:  # another post of the same token got there first
            return self._invalid(request, data, [spent_error()], None)
        log.info("accreditation request %s received", short_id(request_id))
        where = f"{svc.fields.service_url}accreditations/received?lang={req.lang}"
        if wants_json(request):
            return JSONResponse({"id": request_id, "status": "pending", "reference": short_id(request_id)},
                                status_code=201, headers=NO_STORE)
        return RedirectResponse(where, status_code=303, headers=NO_STORE)

    def _invalid(self, request: Request, data: dict[str, Any], errors: list[FieldError], token: str | None) -> Response:
        svc = self.svc
        token = token or svc.tokens.issue(svc.clock())
        if wants_json(request):
            return JSONResponse({"errors": [{"field": e.field, "code": e.code, "message": e.message}
                                            for e in errors], "token": token}, status_code=422, headers=NO_STORE)
        values = {k: v for k, v in data.items() if k not in (TOKEN, HONEYPOT) and isinstance(v, str)}
        lang = svc.pages.lang(_text(data.get(UI_LANG)))
        html = svc.pages.accreditation_form(lang, _text(data.get("event")), values, errors, token)
        return HTMLResponse(html, status_code=422, headers=NO_STORE)

    async def received(self, request: Request) -> Response:
        svc = self.svc
        lang = svc.pages.lang(request.query_params.get("lang"))
        return HTMLResponse(svc.pages.message(lang, svc.pages.theme.translator(lang)("accreditation.received")),
                            headers=NO_STORE)


def acc_bot_errors(svc: "Service", data: dict[str, Any], now: float) -> list[FieldError]:
    """The submissions' honeypot and token checks, with spent tokens looked up in this store."""
    store = svc.accreditations
    return bot_errors(svc, data, now, spent=(lambda nonce: store is not None and store.is_spent(nonce)),
                      retry="check your details and send the form again")


def create_app(svc: "Service") -> Starlette:
    """The ASGI application; the delivery worker runs while the application does."""
    handlers = Handlers(svc)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await svc.checks.start()
        svc.worker.start()
        try:
            yield
        finally:
            svc.checks.close()
            await run_in_threadpool(svc.worker.stop)

    routes = [Route("/health", handlers.health), Route("/submissions/token", handlers.token),
              Route("/submissions", guarded(handlers.submit), methods=["POST"]),
              Route("/submissions/{id}", guarded(handlers.receipt))]
    accreditations = AccreditationHandlers(handlers)  # docs/send-text.md, "Accreditation"
    routes += [Route("/accreditations", guarded(accreditations.submit), methods=["POST"]),
               Route("/accreditations/received", guarded(accreditations.received))]
    cors = Middleware(CORSMiddleware, allow_origins=svc.fields.allowed_origins, allow_methods=["GET", "POST"],
                      allow_headers=["Content-Type", "Accept"], max_age=600)
    async def not_found(request: Request, exc: Exception) -> Response:
        return handlers._refuse(request, 404, "there is nothing at this address; the form is on the site's "
                                "/send/ page, and a receipt's address is the one you were given")

    async def wrong_method(request: Request, exc: Exception) -> Response:
        return handlers._refuse(request, 405, "send a submission with POST to /submissions; receipts are read "
                                "with GET", {"Allow": "POST" if request.url.path.endswith("/submissions") else "GET"})

    return Starlette(routes=routes, middleware=[cors], lifespan=lifespan,
                     exception_handlers={404: not_found, 405: wrong_method})
