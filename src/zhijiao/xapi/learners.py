"""Statement actors ↔ platform accounts, and the minors' consent rule for apps.

A platform account appears in xAPI as ``{"account": {"homePage": <the issuer>, "name": <its OIDC sub>}}`` — the same
opaque ``sub`` an app learns at sign-in, never a name or an ID number. The issuer is ``ZHIJIAO_OIDC_ISSUER`` (the
setting every production site sets); when it is not set, the provider's issuer is the request's origin, so a
``homePage`` on one of the site's own hosts (``ALLOWED_HOSTS``) is accepted too. Any other actor is kept and
flagged (``Statement.learner`` stays empty: 未对应账号).

Third-party apps and under-14s: when the actor maps to a pupil under the consent age whose bureau asks for a
guardian's consent, an app without that consent may neither write nor read the pupil's statements (403, in the
xAPI error format) — the same rule the provider applies before the pupil signs in to the app
(``privacy.selectors.minor_consent_missing``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.db.models import Q
from oauth2_provider.settings import oauth2_settings

from zhijiao.identity.models import Account
from zhijiao.oidc.claims import subject_for
from zhijiao.oidc.models import RegisteredApp, Subject
from zhijiao.privacy.selectors import minor_consent_missing
from zhijiao.xapi.models import StatementMember

DEFAULT_HOME = "https://zhijiao.local"


def home_page() -> str:
    """The ``homePage`` of platform accounts in statements the platform writes: the OIDC issuer."""
    return (oauth2_settings.OIDC_ISS_ENDPOINT or getattr(settings, "ZHIJIAO_XAPI_HOMEPAGE", "") or DEFAULT_HOME).rstrip(
        "/"
    )


def home_accepted(value: Any) -> bool:
    if not isinstance(value, str) or not value:
        return False
    if value.rstrip("/") == home_page():
        return True
    host = urlparse(value).hostname or ""
    return bool(host) and host in settings.ALLOWED_HOSTS


def actor_for(account: Account) -> dict[str, Any]:
    """The xAPI Agent of a platform account (its ``sub`` is created on first use)."""
    return {"objectType": "Agent", "account": {"homePage": home_page(), "name": subject_for(account)}}


def _sub_of(actor: Any) -> str:
    if not isinstance(actor, dict) or actor.get("objectType", "Agent") != "Agent":
        return ""
    account = actor.get("account")
    if not isinstance(account, dict) or not home_accepted(account.get("homePage")):
        return ""
    name = str(account.get("name") or "")
    try:
        return str(uuid.UUID(name))
    except ValueError:
        return ""


def learners_for(actors: Iterable[Any]) -> dict[str, int]:
    """``sub`` → account id for the actors that are platform accounts (one query for a whole batch)."""
    subs = {s for s in (_sub_of(a) for a in actors) if s}
    if not subs:
        return {}
    return {
        str(sub): account_id for sub, account_id in Subject.objects.filter(sub__in=subs).values_list("sub", "account")
    }


def group_members(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(role, member Agent) for every member of a Group the statement names: its actor, its object, its context's
    team and (xAPI 2.0) context groups; role ``actor``, ``object`` or ``context`` (``StatementMember.Role``), first
    role first. Sub-statements are not searched (a statement about a statement is not the members' own record)."""
    out: list[tuple[str, dict[str, Any]]] = []

    def group(value: Any, role: str) -> None:
        if isinstance(value, dict) and value.get("objectType") == "Group":
            out.extend((role, m) for m in value.get("member") or [] if isinstance(m, dict))

    group(data.get("actor"), "actor")
    group(data.get("object"), "object")
    context = data.get("context")
    if isinstance(context, dict):
        group(context.get("team"), "context")
        for item in context.get("contextGroups") or []:
            if isinstance(item, dict):
                group(item.get("group"), "context")
    return out


def statement_agents(data: dict[str, Any]) -> list[Any]:
    """The agents a statement's platform accounts are looked up from: the actor and every group member."""
    return [data.get("actor"), *(member for _, member in group_members(data))]


def about_learner(account_id: int) -> Q:
    """The statements about a platform account: its own (the actor) and those of Groups it is a member of."""
    return Q(learner_id=account_id) | Q(
        pk__in=StatementMember.objects.filter(learner_id=account_id).values("statement_id")
    )


def about_learners(account_ids: Iterable[int]) -> Q:
    ids = list(account_ids)
    return Q(learner_id__in=ids) | Q(pk__in=StatementMember.objects.filter(learner_id__in=ids).values("statement_id"))


def learner_ids_of(statements: Iterable[Any]) -> dict[int, set[int]]:
    """Statement pk → the platform accounts it is about (its actor's, its groups' members), one query."""
    out: dict[int, set[int]] = {}
    pks = []
    for st in statements:
        out[st.pk] = {st.learner_id} if st.learner_id else set()
        pks.append(st.pk)
    if pks:
        for statement_id, learner_id in StatementMember.objects.filter(statement_id__in=pks).values_list(
            "statement_id", "learner_id"
        ):
            out[statement_id].add(learner_id)
    return out


def learner_of(agent: Any, known: dict[str, int]) -> int | None:
    """The platform account an xAPI agent (its JSON) maps to, among ``known`` (OIDC sub → account id)."""
    sub = _sub_of(agent)
    return known.get(sub) if sub else None


def consent_refused(*, app: RegisteredApp, account_ids: Iterable[int]) -> bool:
    """Does any of these accounts need a guardian's consent for ``app`` that nobody gave?"""
    ids = set(account_ids)
    if not ids:
        return False
    for account in Account.objects.filter(pk__in=ids, person__isnull=False):
        if minor_consent_missing(account=account, app=app):
            return True
    return False
