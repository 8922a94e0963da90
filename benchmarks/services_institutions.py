"""Time the training-institution registry at a city's size: an xlsx import of N institutions (all rows checked,
then written), the public query (a name fragment; district + subject + status) and the open-data export.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python benchmarks/services_institutions.py [--rows 20000] [--repeat 5]

Runs inside one transaction that is rolled back at the end: the demo's data is left as it was. Uses the demo's
``bureau`` account and the districts it governs.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time

import django


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()
    from django.db import connection, transaction
    from openpyxl import Workbook

    from zhijiao.identity.models import Account
    from zhijiao.services import selectors_institutions as sel
    from zhijiao.services import services_institutions as svc

    bureau = Account.objects.get(username="bureau")
    districts = [d.code for d in sel.governed_districts(actor=bureau)]
    kinds = (
        ("书法美术", "书法、美术"),
        ("编程科技", "编程、科技"),
        ("舞蹈", "舞蹈"),
        ("体育", "体育"),
        ("学科辅导", "数学、英语"),
    )
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(svc.COLUMNS))
    for i in range(args.rows):
        name, subjects = kinds[i % len(kinds)]
        sheet.append(
            [
                f"教民9{i:011d}",
                f"第{i}号{name}培训中心",
                districts[i % len(districts)],
                f"某路{i}号",
                subjects,
                "非学科类",
                "027-88886666",
                "黑名单" if i % 17 == 0 else "白名单",
                "违规收费" if i % 17 == 0 else "",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    print(f"engine {connection.vendor}; {args.rows} rows, {len(data) / 1e6:.1f} MB xlsx; districts {len(districts)}")
    with transaction.atomic():
        t0 = time.perf_counter()
        counts = svc.institutions_import(actor=bureau, data=data, filename="bench.xlsx")
        print(f"import: {time.perf_counter() - t0:.2f} s  {counts}")
        timings: dict[str, list[float]] = {"query name": [], "query district+subject+status": [], "export rows": []}
        for _ in range(args.repeat):
            t = time.perf_counter()
            sel.public_search(q="书法", page=3)
            timings["query name"].append(time.perf_counter() - t)
            t = time.perf_counter()
            sel.public_search(division=districts[0], subject="编程", status="white")
            timings["query district+subject+status"].append(time.perf_counter() - t)
            t = time.perf_counter()
            sel.public_all()
            timings["export rows"].append(time.perf_counter() - t)
        for name, values in timings.items():
            print(f"{name}: median {statistics.median(values) * 1000:.0f} ms (best {min(values) * 1000:.0f} ms)")
        transaction.set_rollback(True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
