"""Request bodies to plain fields: URL-encoded forms and JSON (multipart is parsed by the app).

Only the fields a submission has are kept; anything else is ignored, so a client cannot
slip extra data into the store.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from masthead.domain.problems import MastheadError
from masthead.domain.submissions import FIELDS

HONEYPOT = "homepage"
TOKEN = "csrf_token"
UI_LANG = "ui_lang"
KEY = "key"  # a contributor's submission key: checked against its digest, never stored
KNOWN = frozenset(FIELDS) | {HONEYPOT, TOKEN, UI_LANG, KEY} | {"event", "outlet", "contact", "role"}  # + accreditation
MAX_FIELDS = 50


class BodyError(MastheadError):
    """The body cannot be read as a submission; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status

    def __reduce__(self) -> tuple[type["BodyError"], tuple[str, int]]:
        # Raised in a worker process (checking.py): it must come back with its status.
        return BodyError, (str(self), self.status)


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyError("the request body is not UTF-8 text; send the form from a browser or encode it as UTF-8") \
            from None


def keep_known(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """The first value of each known field."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in KNOWN and key not in out:
            out[key] = value
    return out


def parse_urlencoded(body: bytes) -> dict[str, Any]:
    try:
        pairs = parse_qsl(_text(body), keep_blank_values=True, max_num_fields=MAX_FIELDS, errors="strict")
    except ValueError as exc:
        raise BodyError(f"the form could not be read ({exc})") from None
    return keep_known(pairs)


def parse_json(body: bytes) -> dict[str, Any]:
    if not body.strip():
        raise BodyError("the request body is empty; send the submission's fields")
    try:
        data = json.loads(_text(body))
    except json.JSONDecodeError as exc:
        raise BodyError(f"the JSON body is broken at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise BodyError("the JSON body is nested too deeply; send a flat object of text fields") from None
    except ValueError as exc:  # e.g. an integer of more digits than Python reads
        raise BodyError(f"the JSON body could not be read ({exc}); send a flat object of text fields") from None
    if not isinstance(data, dict):
        raise BodyError("the JSON body must be an object of fields, like {\"title\": \"...\"}")
    out = keep_known(list(data.items()))
    for key, value in out.items():
        if isinstance(value, (dict, list)):
            raise BodyError(f"field '{key}' must be text, not a {type(value).__name__}", status=422)
        if value is not None and not isinstance(value, (str, bool)):
            out[key] = str(value)[:100]
    return out
