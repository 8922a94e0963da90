"""The guardian-consent rule the provider asks before a pupil uses an app, as a hook another app fills in.

The rule itself belongs to ``zhijiao.privacy`` (consents are its records, and they are consents *to oidc's apps*,
so privacy imports oidc, not the other way round). Privacy registers its two answers in its AppConfig; without it
installed nothing is missing and no app awaits a guardian.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class GuardianRule:
    """``missing(account=, app=)``: must this account wait for a guardian before using this registered app?
    ``awaiting(account=, apps=)``: the ids of those of ``apps`` that wait (one query for a whole portal)."""

    missing: Callable[..., bool]
    awaiting: Callable[..., set[int]]


_rule: list[GuardianRule] = []


def guardian_rule_register(rule: GuardianRule) -> None:
    """Install the rule (once per process, from an AppConfig.ready; a second call replaces the first)."""
    _rule[:] = [rule]


def guardian_consent_missing(*, account: Any, app: Any) -> bool:
    return bool(_rule and _rule[0].missing(account=account, app=app))


def apps_awaiting_guardian(*, account: Any, apps: Iterable[Any]) -> set[int]:
    return set(_rule[0].awaiting(account=account, apps=apps)) if _rule else set()
