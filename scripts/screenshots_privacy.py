"""Screenshots of the audit administrator's page and the guardian's privacy pages (35–37).

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_privacy.py [--out docs/screenshots] [--port 8751]

Before shooting, it makes the demo family's history through the services, as real use would: school staff open
the child's profile (unmasked views are audited), an app signs the child in (recorded as the OIDC provider
records a token: ``oidc.token.issue`` about the child's account), the parent consents to one app and withdraws
another. Run twice, it adds nothing the second time.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir, shot


def prepare_history(accounts: dict[str, dict]) -> int:
    """The demo family's history; returns the child's student id."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()
    from zhijiao.audit.services import Origin, Target, audit_record
    from zhijiao.identity.models import Account
    from zhijiao.oidc.selectors import apps_for
    from zhijiao.people.models import Student
    from zhijiao.privacy.models import GuardianConsent
    from zhijiao.privacy.services import consent_grant, consent_withdraw
    from zhijiao.registry.selectors.people import student_profile

    pupil = Account.objects.get(username="student")
    parent = Account.objects.get(username="parent")
    child = Student.objects.get(person_id=pupil.person_id)
    if GuardianConsent.objects.filter(student=child).exists():
        return child.pk
    apps = apps_for(actor=pupil)
    for username, ip in (("principal", "10.42.1.15"), ("banzhuren", "10.42.1.31"), ("bureau", "10.42.0.8")):
        staff = Account.objects.get(username=username)
        student_profile(actor=staff, student_id=child.pk, origin=Origin("web", ip, "Mozilla/5.0 (Windows NT 10.0)"))
    home = Origin("web", "223.104.3.27", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X)")
    if apps:
        consent_grant(actor=parent, student=child, app=apps[0], scopes=["openid", "profile", "school"], origin=home)
        audit_record(
            actor=pupil,
            action="oidc.token.issue",
            origin=Origin("web", "10.42.1.102"),
            target=Target("account", str(pupil.pk), str(apps[0])),
            fields=["profile", "school"],
        )
    if len(apps) > 1:
        withdrawn = consent_grant(actor=parent, student=child, app=apps[1], scopes=["openid", "profile"], origin=home)
        consent_withdraw(actor=parent, consent_id=withdrawn.pk, origin=home)
    # a few failed sign-ins from one address, so the auditor has something to filter for
    for _ in range(3):
        audit_record(
            actor=None,
            action="auth.login_failed",
            origin=Origin("web", "10.42.7.66"),
            target=Target("account", "", "teacher"),
        )
    return child.pk


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--port", type=int, default=8751)
    args = parser.parse_args()
    out = out_dir(args.out)
    accounts = demo_accounts()
    child_id = prepare_history(accounts)

    # date inputs follow the OS locale, as on a Chinese desktop
    zh_desktop = {**os.environ, "LANG": "zh_CN.UTF-8", "LANGUAGE": "zh_CN:zh"}
    with demo_server(args.port) as base, chromium("--lang=zh-CN", env=zh_desktop) as browser:
        page = new_page(browser)

        login(page, base, "auditor", accounts["auditor"]["password"], accounts["auditor"].get("totp_secret"))
        page.goto(f"{base}/audit/?ip=10.42.")
        page.wait_for_selector(".chain-ok, .chain-broken")
        page.screenshot(path=out / "35-audit-admin.png", full_page=True)

        login(page, base, "parent", accounts["parent"]["password"])
        shot(page, out / "36-guardian-consent.png", url=f"{base}/privacy/consent/")
        shot(page, out / "37-guardian-access-log.png", url=f"{base}/privacy/access/?child={child_id}")


if __name__ == "__main__":
    main()
