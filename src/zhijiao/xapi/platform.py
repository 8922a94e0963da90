"""The platform speaks xAPI itself: resource views, downloads and plays become statements (profile: docs/xapi.md).

The resource centre records a usage row and publishes the same event (``core.learning_events``); this module hears
it on commit and queues it for the worker (``tasks.platform_statement_task``), which writes the statement under the
registered app ``智教平台`` with the platform as ``authority``. The statement's id is derived from the usage row
(``uuid5``), so a redelivered event is the same statement, never a second one, and a statement names its usage row
(context extension ``usage-event``): the usage counts and the statements are two views of one event.

Anonymous visitors of the public portal are counted by the resource centre but have no statement (xAPI needs an
actor; a visitor key is not a person).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from zhijiao.core.learning_events import LearningEvent
from zhijiao.identity.models import Account
from zhijiao.xapi.learners import actor_for, home_page
from zhijiao.xapi.models import Credential
from zhijiao.xapi.services import PLATFORM_APP, SCOPE_READ, SCOPE_WRITE, app_for_lrs, statements_insert_new
from zhijiao.xapi.validation import format_timestamp

logger = logging.getLogger("zhijiao.xapi")

# The vocabulary (docs/xapi.md "平台自身的学习记录"): well-known IRIs where one exists.
VERB_VIEWED = "http://id.tincanapi.com/verb/viewed"
VERB_DOWNLOADED = "http://id.tincanapi.com/verb/downloaded"
VERB_PLAYED = "https://w3id.org/xapi/video/verbs/played"
VERB_PROGRESSED = "http://adlnet.gov/expapi/verbs/progressed"
VERB_COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
ACTIVITY_RESOURCE = "http://adlnet.gov/expapi/activities/media"
EXT_PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress"  # 0–100, an integer

VERBS: dict[str, tuple[str, str, str]] = {  # key → (IRI, zh-CN, en-US)
    "view": (VERB_VIEWED, "浏览了", "viewed"),
    "download": (VERB_DOWNLOADED, "下载了", "downloaded"),
    "play": (VERB_PLAYED, "播放了", "played"),
    "progress": (VERB_PROGRESSED, "继续观看了", "progressed"),
    "complete": (VERB_COMPLETED, "看完了", "completed"),
}
# The Chinese a learner reads for each verb on 我的学习记录 (third-party apps' verbs fall back to their display)
VERB_WORDS = {iri: zh for iri, zh, _en in VERBS.values()}


def profile_iri() -> str:
    return f"{home_page()}/xapi/profile"


def ext_usage() -> str:
    return f"{profile_iri()}/extensions/usage-event"


def platform_client() -> Credential:
    """The platform's own writer: the registered app 智教平台 (registered on first use), not a third-party app."""
    app, _created = app_for_lrs(name=PLATFORM_APP)
    client = Credential(app=app, key="platform", scopes=[SCOPE_READ, SCOPE_WRITE])
    client.platform = True
    return client


def platform_authority() -> dict[str, Any]:
    return {"objectType": "Agent", "name": PLATFORM_APP, "account": {"homePage": home_page(), "name": "platform"}}


def _verb_key(event: LearningEvent) -> str:
    if event.kind != "play":
        return event.kind
    if event.first:
        return "play"
    return "complete" if (event.progress or 0) >= 1 else "progress"


def statement_for(event: LearningEvent, account: Account) -> dict[str, Any]:
    """The statement of one usage event (``id`` derived from the usage row, the verb and the progress)."""
    key = _verb_key(event)
    iri, zh, en = VERBS[key]
    percent = None if event.progress is None else round(event.progress * 100)
    home = home_page()
    sid = uuid.uuid5(uuid.NAMESPACE_URL, f"{home}/usage/{event.usage_id}/{key}/{percent if key != 'view' else ''}")
    data: dict[str, Any] = {
        "id": str(sid),
        "actor": actor_for(account),
        "verb": {"id": iri, "display": {"zh-CN": zh, "en-US": en}},
        "object": {
            "objectType": "Activity",
            "id": f"{home}/resources/{event.resource_id}/",
            "definition": {"type": ACTIVITY_RESOURCE, "name": {"zh-CN": event.resource_title[:200] or "资源"}},
        },
        "timestamp": format_timestamp(event.at),
        "context": {
            "platform": PLATFORM_APP,
            "language": "zh-CN",
            "contextActivities": {"category": [{"objectType": "Activity", "id": profile_iri()}]},
            "extensions": {ext_usage(): event.usage_id},
        },
    }
    if event.kind == "play" and percent is not None:
        data["result"] = {"extensions": {EXT_PROGRESS: percent}}
        if key == "complete":
            data["result"]["completion"] = True
    return data


def platform_statements_write(events: list[LearningEvent], *, backdate: bool = False) -> int:
    """Write the statements of these events (those of anonymous visitors and closed accounts skipped); the ones
    already stored (a redelivered event) are skipped too. Returns how many were new."""
    ids = {e.account_id for e in events if e.account_id}
    accounts = {a.pk: a for a in Account.objects.filter(pk__in=ids)}
    items = [statement_for(e, accounts[e.account_id]) for e in events if e.account_id in accounts]
    if not items:
        return 0
    client = platform_client()
    stored = statements_insert_new(client=client, items=items, authority=platform_authority(), backdate=backdate)
    logger.info("platform statements: %s new of %s events", stored, len(events))
    return stored
