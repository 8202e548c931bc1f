"""Form tokens: a CSRF token that also carries the earliest moment the form may be sent.

A token is `<not_before_ms>.<expires_ms>.<nonce>.<signature>`, signed with the service's
secret, so it cannot be forged or have its times changed. The page asks for one when it
opens (`GET /submissions/token`); a form sent before `not_before` was filled faster than a
person can, and one sent after `expires` is stale. A token is spent when its submission is
accepted, so one token cannot carry a flood of submissions.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from pathlib import Path

MISSING, INVALID, EXPIRED, TOO_FAST, SPENT = "missing", "invalid", "expired", "too_fast", "spent"


def load_secret(env_value: str | None, folder: Path) -> bytes:
    """The signing secret: from the environment, or kept (created once) in the data folder."""
    if env_value:
        return env_value.encode("utf-8")
    path = folder / "form-secret"
    if not path.exists():
        tmp = folder / "form-secret.tmp"
        tmp.write_text(secrets.token_hex(32), encoding="ascii")
        tmp.chmod(0o600)
        tmp.replace(path)
    return path.read_text(encoding="ascii").strip().encode("ascii")


class Tokens:
    def __init__(self, secret: bytes, min_fill_seconds: float, max_age_seconds: float) -> None:
        self._secret = secret
        self.min_fill_ms = int(min_fill_seconds * 1000)
        self.max_age_ms = int(max_age_seconds * 1000)
        self._spent: dict[str, int] = {}
        self._lock = threading.Lock()

    def _sign(self, payload: str) -> str:
        mac = hmac.new(self._secret, payload.encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac[:18]).decode("ascii")

    def issue(self, now: float, wait_seconds: float | None = None) -> str:
        """A fresh token; the form it goes into may be sent `wait_seconds` from now (default:
        the minimum fill time)."""
        now_ms = int(now * 1000)
        wait = self.min_fill_ms if wait_seconds is None else int(wait_seconds * 1000)
        payload = f"{now_ms + wait}.{now_ms + self.max_age_ms}.{secrets.token_urlsafe(9)}"
        return f"{payload}.{self._sign(payload)}"

    def check(self, token: str, now: float) -> str | None:
        """None when the token is good, else why not (one of the codes above)."""
        if not token:
            return MISSING
        parts = token.split(".")
        if len(parts) != 4 or not hmac.compare_digest(self._sign(".".join(parts[:3])), parts[3]):
            return INVALID
        try:
            not_before, expires = int(parts[0]), int(parts[1])
        except ValueError:
            return INVALID
        now_ms = int(now * 1000)
        if now_ms > expires:
            return EXPIRED
        if now_ms < not_before:
            return TOO_FAST
        with self._lock:
            return SPENT if parts[2] in self._spent else None

    def spend(self, token: str, now: float) -> None:
        """Remember the token as used until it expires."""
        parts = token.split(".")
        now_ms = int(now * 1000)
        with self._lock:
            self._spent = {n: e for n, e in self._spent.items() if e >= now_ms}
            if len(parts) == 4:
                self._spent[parts[2]] = int(parts[1]) if parts[1].isdigit() else now_ms
