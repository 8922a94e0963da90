"""Growth records (成长档案, 综合素质评价, 体质健康).

No models yet: the fitness scorer (``growth.fitness``) works on files. Test sessions and per-pupil results are
the next step of issue 16 (decision 00xx-fitness-standard).
"""
