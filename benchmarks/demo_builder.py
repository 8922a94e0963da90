"""Time the demo region builder alone (``RegionBuilder.build``: the registry writes), wall and CPU.

    uv run python benchmarks/demo_builder.py [small|district|city]

A fresh temporary ``$ZHIJIAO_HOME`` (SQLite), migrations and the current school year first (not timed); no
resource library, accounts or snapshot. CPU time is the steadier figure on a shared machine.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time


def main() -> None:
    scale = sys.argv[1] if len(sys.argv) > 1 else "small"
    os.environ["ZHIJIAO_HOME"] = tempfile.mkdtemp(prefix="zhijiao-bench-builder-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from zhijiao.demo.builder import RegionBuilder
    from zhijiao.demo.plan import region_plan
    from zhijiao.org.models import Term
    from zhijiao.org.services import school_year_open

    call_command("migrate", verbosity=0)
    school_year_open(start_year=2026, current_term=1)
    term = Term.objects.get(is_current=True)
    wall, cpu = time.perf_counter(), time.process_time()
    stats = RegionBuilder(plan=region_plan(scale), seed=42, start_year=2026, term=term).build()
    print(
        f"{scale}: builder {time.perf_counter() - wall:.1f} s wall, {time.process_time() - cpu:.1f} s CPU; "
        f"{stats.schools} schools, {stats.classes} classes, {stats.students} students, {stats.staff} staff, "
        f"{stats.guardians} guardians"
    )


if __name__ == "__main__":
    main()
