"""Time a students import that corrects matched pupils: the update path (history, class moves, guardians).

    uv run python benchmarks/intake_import.py --rows 50000 --home DIR --keep    # a registry and its file
    uv run python benchmarks/intake_updates.py --home DIR [--moved 0.1] [--copy]

From the file ``intake_import.py`` left in ``DIR`` (``students-N.csv``, already imported) it writes a corrected copy:
every pupil's 联系电话 and 家庭住址 changed (two person fields with history each), one pupil in ``--moved`` moved to
another class of the same grade (an enrolment closed and one opened, 调班) and every guardian's phone changed.
It imports that copy (``zhijiao import students --json`` in a child process) and prints the wall time, the
child's peak RSS, rows/s, the batch counts and how many change records and enrolments the import added. With
``--copy`` it works on a copy of ``DIR`` so the same registry can be measured again (another code version).
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from intake_import import run_child


def corrected(source: Path, target: Path, moved: float) -> int:
    """Write the corrected copy; return its row count."""
    with source.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    phone, address, klass = header.index("联系电话"), header.index("家庭住址"), header.index("班级")
    guardian_phone = header.index("监护人电话")
    step = max(1, round(1 / moved)) if moved else 0
    for n, row in enumerate(body):
        row[phone] = f"139{n:08d}"
        row[address] = (row[address] or "湖北省武汉市") + "（更正）"
        row[guardian_phone] = f"137{n:08d}"
        if step and n % step == 0 and row[klass].isdigit():
            row[klass] = "1" if row[klass] != "1" else "2"
    with target.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([header, *body])
    return len(body)


def counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as conn:
        return {
            table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608 (fixed names)
            for table in ("people_changerecord", "people_enrolment", "people_person")
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True, help="a ZHIJIAO_HOME left by intake_import.py --keep")
    parser.add_argument("--moved", type=float, default=0.1, help="share of pupils moved to another class")
    parser.add_argument("--copy", action="store_true", help="work on a copy of --home")
    args = parser.parse_args()
    home = Path(args.home)
    if args.copy:
        scratch = Path(tempfile.mkdtemp(prefix="zh-updates-"))
        shutil.copytree(home, scratch / "home")
        home = scratch / "home"
    (source,) = sorted(home.glob("students-*.csv"))
    target = home / "students-corrected.csv"
    rows = corrected(source, target, args.moved)
    before = counts(home / "zhijiao.sqlite3")
    env = {**os.environ, "ZHIJIAO_HOME": str(home)}
    child = run_child(["import", "students", str(target), "--json"], env, home)
    after = counts(home / "zhijiao.sqlite3")
    result = child.result
    print(
        f"corrected import of {rows:,} rows: wall {child.seconds:.1f} s, peak RSS {child.peak_rss_mb:.0f} MB, "
        f"{rows / child.seconds:,.0f} rows/s — created {result.get('created')}, updated {result.get('updated')}, "
        f"unchanged {result.get('unchanged')}, rejected {result.get('rejected')}, status {result.get('status')}"
    )
    print("added: " + ", ".join(f"{t} +{after[t] - before[t]:,}" for t in after))
    if args.copy:
        shutil.rmtree(home.parent)
    if child.returncode != 0 or result.get("status") != "done":
        print(child.stderr[-2000:])
        sys.exit(1)


if __name__ == "__main__":
    main()
