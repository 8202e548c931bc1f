"""The Starlette application: the one module that imports Starlette.

  POST /submissions          a submission, form-encoded (browsers) or JSON (send.js, tools)
  GET  /submissions/token    a fresh form token (CSRF and the minimum fill time)
  GET  /submissions/{id}     the receipt: HTML for people, JSON when asked for
  GET  /health               liveness and queue sizes, for the reverse proxy and monitoring

Errors are translated here and only here: 413 (too large), 429 (rate limit), 403 (foreign
origin), 400/415 (unreadable), 422 with every field's problem at once.
"""

from __future__ import annotations

import uuid
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, AsyncGenerator, AsyncIterator

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from masthead.domain.submissions import FieldError, validate_submission

from .forms import HONEYPOT, TOKEN, UI_LANG, BodyError, keep_known, parse_json, parse_urlencoded
from .pages import receipt_view
from .settings import origin_of
from .tokens import TOO_FAST

if TYPE_CHECKING:
    from .service import Service

NO_STORE = {"Cache-Control": "no-store"}


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


async def parse_body(request: Request, body: bytes) -> dict[str, Any]:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        return parse_urlencoded(body)
    if kind == "application/json":
        return parse_json(body)
    if kind == "multipart/form-data":
        async def once() -> AsyncGenerator[bytes, None]:
            yield body
            yield b""
        try:
            form = await MultiPartParser(request.headers, once(), max_files=0, max_fields=50).parse()
        except MultiPartException as exc:
            raise BodyError(f"the form could not be read: {exc.message}") from None
        return keep_known([(k, v) for k, v in form.multi_items() if isinstance(v, str)])
    raise BodyError("send the submission as a form (application/x-www-form-urlencoded) or as JSON",
                    status=415)


def form_errors(svc: "Service", data: dict[str, Any], now: float) -> list[FieldError]:
    """Bot checks, as field errors so a person who trips one sees what to do."""
    errors = []
    if str(data.get(HONEYPOT) or "").strip():
        errors.append(FieldError(HONEYPOT, "honeypot", "leave the field 'homepage' empty: it is there to catch robots"))
    problem = svc.tokens.check(str(data.get(TOKEN) or ""), now)
    if problem == TOO_FAST:
        errors.append(FieldError("form", "too_fast", "the form was sent too quickly; wait a few seconds and send "
                                 "it again"))
    elif problem is not None:
        errors.append(FieldError("form", "token", f"the form's token is {problem}; check your text and send it "
                                 "again (reload the page if this repeats)"))
    return errors


class Handlers:
    def __init__(self, svc: "Service") -> None:
        self.svc = svc

    def _refuse(self, request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        headers = {**NO_STORE, **(headers or {})}
        if wants_json(request):
            return JSONResponse({"error": message}, status_code=status, headers=headers)
        return HTMLResponse(self.svc.pages.message(self.svc.pages.lang(None), message), status_code=status,
                            headers=headers)

    def _invalid(self, request: Request, data: dict[str, Any], errors: list[FieldError]) -> Response:
        svc = self.svc
        # A fresh token comes back, so the author can send again at once once the fields are fixed.
        token = svc.tokens.issue(svc.clock(), wait_seconds=min(1.0, svc.fields.min_fill_seconds))
        if wants_json(request):
            return JSONResponse({"errors": [{"field": e.field, "code": e.code, "message": e.message,
                                             "params": e.params} for e in errors], "token": token},
                                status_code=422, headers=NO_STORE)
        values = {k: v for k, v in data.items() if k not in (TOKEN, HONEYPOT)}
        html = svc.pages.form(svc.pages.lang(data.get(UI_LANG)), values, errors, token)
        return HTMLResponse(html, status_code=422, headers=NO_STORE)

    async def submit(self, request: Request) -> Response:
        svc = self.svc
        origin = request.headers.get("origin")
        # The service's own origin too: without JavaScript, the second post comes from the form it shows.
        allowed_origins = (*svc.fields.allowed_origins, origin_of(svc.fields.service_url))
        if origin is not None and origin.rstrip("/") not in allowed_origins:
            return self._refuse(request, 403, f"posting is only allowed from {', '.join(svc.fields.allowed_origins)}")
        allowed, wait = svc.limiter.allow(request.client.host if request.client else "unknown")
        if not allowed:
            return self._refuse(request, 429, f"too many submissions from your address; try again in {wait} s",
                                {"Retry-After": str(wait)})
        try:
            data = await parse_body(request, await read_body(request, svc.fields.max_body_bytes))
        except BodyError as exc:
            return self._refuse(request, exc.status, str(exc))
        now = svc.clock()
        errors = form_errors(svc, data, now)
        sub, field_errors = validate_submission(data, svc.rules)
        if errors or sub is None:
            return self._invalid(request, data, errors + field_errors)
        submission_id = uuid.uuid4().hex
        await run_in_threadpool(svc.store.add, submission_id, sub, datetime.fromtimestamp(now, timezone.utc))
        svc.tokens.spend(str(data.get(TOKEN)), now)  # only now: a refused form keeps its token
        svc.worker.wake()
        lang = svc.pages.lang(data.get(UI_LANG))
        where = f"{svc.fields.service_url}submissions/{submission_id}?lang={lang}"
        if wants_json(request):
            return JSONResponse({"id": submission_id, "receipt": submission_id[:8], "status": "received",
                                 "receipt_url": where}, status_code=201, headers={**NO_STORE, "Location": where})
        return RedirectResponse(where, status_code=303, headers=NO_STORE)

    async def token(self, request: Request) -> Response:
        svc = self.svc
        now = svc.clock()
        return JSONResponse({"token": svc.tokens.issue(now), "min_fill_seconds": svc.fields.min_fill_seconds,
                             "expires_in": svc.fields.token_max_age}, headers=NO_STORE)

    async def receipt(self, request: Request) -> Response:
        svc = self.svc
        submission_id = request.path_params["id"].lower()
        record = None
        if len(submission_id) == 32 and all(c in "0123456789abcdef" for c in submission_id):
            record = await run_in_threadpool(svc.store.get, submission_id)
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


def create_app(svc: "Service") -> Starlette:
    """The ASGI application; the delivery worker runs while the application does."""
    handlers = Handlers(svc)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        svc.worker.start()
        try:
            yield
        finally:
            await run_in_threadpool(svc.worker.stop)

    routes = [Route("/health", handlers.health), Route("/submissions/token", handlers.token),
              Route("/submissions", handlers.submit, methods=["POST"]),
              Route("/submissions/{id}", handlers.receipt)]
    cors = Middleware(CORSMiddleware, allow_origins=svc.fields.allowed_origins, allow_methods=["GET", "POST"],
                      allow_headers=["Content-Type", "Accept"], max_age=600)
    return Starlette(routes=routes, middleware=[cors], lifespan=lifespan)
