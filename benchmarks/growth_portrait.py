"""A pupil's portrait page (成长档案, ``/growth/pupils/<id>/``) and the class's process page: p50/p95 in ms.

    ZHIJIAO_HOME=DIR uv run zhijiao demo --setup-only      # the demo class has a term of records (demo/growth_term.py)
    ZHIJIAO_HOME=DIR uv run python benchmarks/growth_portrait.py [--runs 200]

Through Django's test client in one process (no network, no server): the demo pupil's page as the pupil, the parent
and the 班主任, and the class page (43 pupils' selections, levels and objections) as the 班主任 and as a classmate's
parent during publicity. Exits non-zero when a portrait's p95 is 300 ms or more (issue 16's target).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).parent))
from timing import timed

TARGET_MS = 300.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()
    from django.conf import settings
    from django.test import Client

    from zhijiao.identity.models import Account
    from zhijiao.people.models import Student

    settings.ALLOWED_HOSTS = ["*"]
    accounts = {a.username: a for a in Account.objects.filter(username__in=["student", "parent", "banzhuren"])}
    pupil = Student.objects.get(person_id=accounts["student"].person_id)
    failed = False
    print(f"{'page':<34} {'as':<10} {'first':>8} {'p50':>8} {'p95':>8}  (ms, {args.runs} runs)")
    for label, who, url in (
        ("portrait", "student", f"/growth/pupils/{pupil.pk}/"),
        ("portrait", "parent", f"/growth/pupils/{pupil.pk}/"),
        ("portrait", "banzhuren", f"/growth/pupils/{pupil.pk}/"),
        ("class process page", "banzhuren", f"/growth/classes/{pupil.school_class_id}/"),
        ("class publicity page", "parent", f"/growth/classes/{pupil.school_class_id}/"),
    ):
        client = Client()
        client.force_login(accounts[who])

        def get(client: Client = client, url: str = url) -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        first, p50, p95 = timed(get, args.runs)
        print(f"{label:<34} {who:<10} {first:8.1f} {p50:8.1f} {p95:8.1f}")
        failed |= label == "portrait" and p95 >= TARGET_MS
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
