"""The sample app's own sessions: in memory, found by an unguessable cookie value.

A real app would keep them in its database or cache; what matters for single sign-out is that a session can be
found by the provider's ``sid`` and ``sub``, so a back-channel logout token can end it.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from zhijiao.rp.oidc import PendingLogin, SignedIn

COOKIE_NAME = "zhijiao_rp_session"
# Sessions idle this long are forgotten; a pending login this old is refused.
IDLE_SECONDS = 8 * 3600
PENDING_SECONDS = 600


@dataclass
class Session:
    key: str
    touched: float = field(default_factory=time.monotonic)
    pending: PendingLogin | None = None
    pending_at: float = 0.0
    signed_in: SignedIn | None = None
    # Why the last sign-in ended, shown once: "local" (退出 here) or "provider" (back-channel logout).
    ended: str = ""

    @property
    def sub(self) -> str:
        return str(self.signed_in.claims.get("sub", "")) if self.signed_in else ""

    @property
    def sid(self) -> str:
        return str(self.signed_in.claims.get("sid", "")) if self.signed_in else ""

    @property
    def claims(self) -> dict[str, Any]:
        return self.signed_in.claims if self.signed_in else {}


class SessionStore:
    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def get_or_create(self, key: str | None) -> Session:
        now = time.monotonic()
        with self._lock:
            self._forget_idle(now)
            session = self._sessions.get(key or "")
            if session is None:
                session = Session(key=secrets.token_urlsafe(32))
                self._sessions[session.key] = session
            session.touched = now
            return session

    def _forget_idle(self, now: float) -> None:
        for key, session in list(self._sessions.items()):
            if now - session.touched > IDLE_SECONDS:
                del self._sessions[key]

    def login_begin(self, session: Session, pending: PendingLogin) -> None:
        with self._lock:
            session.pending, session.pending_at = pending, time.monotonic()

    def login_pending(self, session: Session) -> PendingLogin | None:
        """The pending login, used once: a replayed callback finds nothing."""
        with self._lock:
            pending, session.pending = session.pending, None
            if pending is None or time.monotonic() - session.pending_at > PENDING_SECONDS:
                return None
            return pending

    def sign_in(self, session: Session, signed_in: SignedIn) -> Session:
        """Start the signed-in session under a new key (no fixation of a key chosen before the login)."""
        with self._lock:
            self._sessions.pop(session.key, None)
            fresh = Session(key=secrets.token_urlsafe(32), signed_in=signed_in)
            self._sessions[fresh.key] = fresh
            return fresh

    def sign_out(self, session: Session, *, reason: str) -> SignedIn | None:
        with self._lock:
            signed_in, session.signed_in, session.ended = session.signed_in, None, reason
            return signed_in

    def end_by_provider(self, *, sub: str, sid: str) -> int:
        """Back-channel logout: end the sessions of that provider session (sid), or of the person (sub alone)."""
        ended = 0
        with self._lock:
            for session in self._sessions.values():
                if session.signed_in is None:
                    continue
                if (sid and session.sid == sid) or (not sid and sub and session.sub == sub):
                    if sub and session.sub != sub:
                        continue
                    session.signed_in, session.ended = None, "provider"
                    ended += 1
        return ended

    def signed_in_count(self) -> int:
        with self._lock:
            return sum(1 for s in self._sessions.values() if s.signed_in is not None)
