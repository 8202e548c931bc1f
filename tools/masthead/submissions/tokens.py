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
    """Issues and checks tokens. Spending is the store's: the token's nonce is written in the
    same transaction as its submission, so two posts of one token cannot both be accepted,
    and a restart forgets nothing."""

    def __init__(self, secret: bytes, min_fill_seconds: float, max_age_seconds: float) -> None:
        self._secret = secret
        self.min_fill_ms = int(min_fill_seconds * 1000)
        self.max_age_ms = int(max_age_seconds * 1000)

    def _sign(self, payload: str) -> str:
        mac = hmac.new(self._secret, payload.encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac[:18]).decode("ascii")

    def issue(self, now: float) -> str:
        """A fresh token; the form it goes into may be sent the minimum fill time from now
        (every token, also the one a refused form comes back with)."""
        now_ms = int(now * 1000)
        payload = f"{now_ms + self.min_fill_ms}.{now_ms + self.max_age_ms}.{secrets.token_urlsafe(9)}"
        return f"{payload}.{self._sign(payload)}"

    def check(self, token: str, now: float) -> str | None:
        """None when the token is genuine and in its time window, else why not (a code above).
        Whether it was spent is asked of the store."""
        if not token:
            return MISSING
        parts = token.split(".")
        if len(parts) != 4 or not all(p.isascii() for p in parts) or \
                not hmac.compare_digest(self._sign(".".join(parts[:3])), parts[3]):
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
        return None

    @staticmethod
    def nonce(token: str) -> tuple[str, float]:
        """(nonce, expiry in seconds) of a token that `check` accepted: what the store spends."""
        parts = token.split(".")
        return parts[2], int(parts[1]) / 1000


# --- submission keys: a contributor's proof that a text sent under their handle is theirs ------

def new_submission_key() -> str:
    """A fresh key (given to the contributor once; only its digest is kept)."""
    return secrets.token_urlsafe(24)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.strip().encode("utf-8")).hexdigest()


def key_matches(digest: str | None, key: str) -> bool:
    """True when `key` is the one whose digest was kept; constant time in the key's content."""
    if not digest or not key:
        return False
    return hmac.compare_digest(digest.encode("ascii"), key_digest(key).encode("ascii"))
