"""Background jobs (Huey): delivering back-channel logout tokens, and ending sessions nobody came back to."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from zhijiao.oidc.backchannel import backchannel_logout_send, sessions_expired_end


# A short timeout per try (ZHIJIAO_OIDC_BACKCHANNEL_TIMEOUT) and a few tries: an app down for a minute still hears.
@db_task(retries=3, retry_delay=20)
def backchannel_logout_deliver(*, application_id: int, account_id: int, sid: str, issuer: str) -> None:
    backchannel_logout_send(application_id=application_id, account_id=account_id, sid=sid, issuer=issuer)


@db_periodic_task(crontab(minute="*/5"))
def oidc_sessions_sweep() -> int:
    """Every five minutes: sessions that expired or sat idle without a request end for their apps too."""
    return sessions_expired_end()
