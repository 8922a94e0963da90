"""Frame forms of the people write services: many rows in one Polars frame, written with ``core.bulk`` (SQLite
``executemany``, PostgreSQL ``COPY``) inside the caller's transaction.

They hold the rules the row forms in ``people.services`` hold, for callers that bring thousands of rows at once
(intake's students, staff and guardians kinds): lineage (``origin``), change-feed numbers, the field-by-field
history (``ChangeRecord``, the rows ``person_update`` writes), 在读 on (re)enrolment, the open enrolment closed and
a new one opened on a move (转学 / 调班), and the ``registry_changed`` event.

Values arrive validated and normalised (intake checks whole columns before writing). A null cell means "not
provided" and never clears a registry value. Frames may carry other columns (the caller's row numbers …).
"""

from zhijiao.people.services_bulk.guardians import guardianships_write_many
from zhijiao.people.services_bulk.history import diff_columns, history_frame, history_write
from zhijiao.people.services_bulk.persons import persons_insert, persons_update_many
from zhijiao.people.services_bulk.staff import staff_write_many
from zhijiao.people.services_bulk.students import students_registry, students_write_many

__all__ = [
    "diff_columns",
    "guardianships_write_many",
    "history_frame",
    "history_write",
    "persons_insert",
    "persons_update_many",
    "staff_write_many",
    "students_registry",
    "students_write_many",
]
