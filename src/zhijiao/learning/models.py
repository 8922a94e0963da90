"""Precise teaching (issue 14): item bank, homework and exams, responses, mastery per student × knowledge point.

No tables yet: the diagnosis models (``zhijiao.learning.diagnosis``) come first and are judged on public data with
``zhijiao learning evaluate``; the tables follow when the item bank lands.
"""
