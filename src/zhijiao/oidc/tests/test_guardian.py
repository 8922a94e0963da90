"""The guardian-consent hook: privacy fills it in, the provider asks it, and without a rule nothing waits."""

from __future__ import annotations

from zhijiao.oidc import guardian
from zhijiao.privacy.selectors import apps_awaiting_guardian, minor_consent_missing


def test_privacy_installs_its_rule_at_start_up():
    assert guardian._rule == [guardian.GuardianRule(missing=minor_consent_missing, awaiting=apps_awaiting_guardian)]


def test_the_provider_asks_the_installed_rule(monkeypatch):
    asked = []

    def missing(*, account, app):
        asked.append((account, app))
        return app == "young-app"

    rule = guardian.GuardianRule(missing=missing, awaiting=lambda *, account, apps: {a for a in apps if a > 1})
    monkeypatch.setattr(guardian, "_rule", [rule])
    assert guardian.guardian_consent_missing(account="pupil", app="young-app") is True
    assert guardian.guardian_consent_missing(account="pupil", app="other") is False
    assert asked == [("pupil", "young-app"), ("pupil", "other")]
    assert guardian.apps_awaiting_guardian(account="pupil", apps=[1, 2, 3]) == {2, 3}


def test_without_a_rule_nothing_waits(monkeypatch):
    monkeypatch.setattr(guardian, "_rule", [])
    assert guardian.guardian_consent_missing(account="pupil", app="any") is False
    assert guardian.apps_awaiting_guardian(account="pupil", apps=[1, 2]) == set()
