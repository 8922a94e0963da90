"""The diagnosis refit (精准教学, issue 14): after an assignment's marks change, estimate each pupil's mastery of the
knowledge points it measured and precompute its class 学情 reports. Run by the worker (``tasks.refit_task``), never
by a page; ``zhijiao learning refit`` runs it from the command line.
Design: ``docs/decisions/0054-diagnosis-refit-reports.md``.

* **Exam** (``kind=exam``): the hybrid CDM (``diagnosis.cdm.HybridDina``) over the exam's pupils, the Q-matrix from
  the paper items' knowledge points; mastery = the posterior P(mastered), uncertainty its posterior sd. More than
  :data:`CALIBRATE` pupils: the items are calibrated on a seeded sample and every pupil is scored (the E step).
* **Homework**: knowledge tracing, a BKT filter per pupil × point that starts from the pupil's mastery before the
  homework (the last exam's CDM estimate, updated by the homework since) and steps through this homework's answers.
* One transaction per assignment; idempotent: the state before the assignment is the latest change an EARLIER
  assignment made, so a re-run writes the same Mastery and MasteryChange rows.
"""

from __future__ import annotations

import logging
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import polars as pl
from django.db import transaction
from django.utils import timezone

from zhijiao.core import bulk
from zhijiao.learning.diagnosis.cdm import HybridDina, Responses
from zhijiao.learning.diagnosis.itemstats import distractors, item_statistics
from zhijiao.learning.models import (
    Answer,
    Assignment,
    AssignmentKind,
    ClassReport,
    DiagnosisFit,
    ItemType,
    Mastery,
    MasteryChange,
    MasteryModel,
    PaperItem,
    Submission,
)

logger = logging.getLogger("zhijiao.learning")

CALIBRATE = 3000  # pupils the CDM's items are calibrated on (a seeded sample); everyone is then scored
MIN_FIT = 200  # fewer pupils than this: the CDM's item parameters are fixed, not fitted (``fixed_cdm``)
MAX_POINTS = 12  # knowledge points one CDM block models (2^K latent patterns); an exam with more fits several blocks
PRIOR = 0.5  # mastery of a point before any evidence
# BKT parameters of the homework filter (per answer): slip, guess and the chance to learn the point by practising it
SLIP, GUESS, LEARN = 0.1, 0.2, 0.1
MOVED = 1e-3  # a homework change smaller than this is not recorded
RETEACH_BELOW = 0.6  # class mean mastery under which a point is listed under 再教学
LEVELS = [("优秀", 0.85), ("良好", 0.70), ("合格", 0.60), ("待提高", 0.0)]
CHUNK = 5000
_UTC = pl.Datetime("us", "UTC")
_CHANGE_SCHEMA = {
    "student_id": pl.Int64,
    "knowledge_point_id": pl.Int64,
    "before": pl.Float64,
    "after": pl.Float64,
    "uncertainty": pl.Float64,
    "evidence_before": pl.Int64,
    "evidence": pl.Int64,
}
_MASTERY_SCHEMA = {
    "student_id": pl.Int64,
    "knowledge_point_id": pl.Int64,
    "estimate": pl.Float64,
    "uncertainty": pl.Float64,
    "evidence": pl.Int64,
}


@dataclass
class Entry:
    pk: int
    order: int
    points: float
    type: str
    answer: list[Any]
    options: list[str]
    kps: list[int]


@dataclass
class RefitResult:
    assignment_id: int
    model: str
    pupils: int
    points: int
    changes: int
    reports: int


def _entries(assignment: Assignment) -> list[Entry]:
    rows = list(
        PaperItem.objects.filter(paper_id=assignment.paper_id)
        .select_related("version")
        .order_by("order", "pk")
        .prefetch_related("item__knowledge_points")
    )
    return [
        Entry(
            pk=r.pk,
            order=n,
            points=float(r.points),
            type=r.version.type,
            answer=list(r.version.answer),
            options=[o["key"] for o in r.version.options],
            kps=sorted(k.pk for k in r.item.knowledge_points.all()),
        )
        for n, r in enumerate(rows, start=1)
    ]


def _chunks(values: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _when(assignment: Assignment) -> datetime:
    """The time a change of this assignment is recorded at: fixed, so a re-run writes the same rows."""
    return assignment.due_at or assignment.opens_at


def _sd(p: float) -> float:
    return math.sqrt(max(p * (1.0 - p), 0.0))


def bkt_step(p: float, score: float) -> float:
    """One BKT update of P(mastered) by an answer scored ``score`` in [0, 1] (partial marks as soft evidence), then
    the chance of learning by practising."""
    like_known = score * (1 - SLIP) + (1 - score) * SLIP
    like_unknown = score * GUESS + (1 - score) * (1 - GUESS)
    post = p * like_known / (p * like_known + (1 - p) * like_unknown)
    return post + (1 - post) * LEARN


def _structure(q: np.ndarray, n_nodes: int) -> tuple[HybridDina, np.ndarray]:
    """A HybridDina with its latent classes laid out for ``q`` (as ``fit`` lays them out), parameters unset; and
    the size of each η-group (how many mastery patterns it merges)."""
    model = HybridDina(n_nodes=n_nodes)
    patterns = ((np.arange(2 ** q.shape[1])[:, None] >> np.arange(q.shape[1])) & 1).astype(float)
    eta_all = patterns @ q.T >= q.sum(axis=1)[None, :] - 1e-9
    eta_g, group = np.unique(eta_all, axis=0, return_inverse=True)
    group = group.ravel()
    g_size = np.bincount(group, minlength=eta_g.shape[0]).astype(float)
    g_mastery = np.zeros((eta_g.shape[0], q.shape[1]))
    np.add.at(g_mastery, group, patterns)
    g_mastery /= g_size[:, None]
    nodes = np.linspace(-3.0, 3.0, n_nodes)
    model.q, model.g_mastery = q, g_mastery
    model.eta_c = np.repeat(eta_g.astype(float), n_nodes, axis=0)
    model.th_c = np.tile(nodes, eta_g.shape[0])[:, None]
    model.n_nodes_ = n_nodes
    return model, g_size


def cdm_from_params(params: dict[str, Any]) -> HybridDina:
    """Rebuild a fitted HybridDina from the parameters the refit stored (no refit): what explanations use."""
    model, _ = _structure(np.asarray(params["q"], dtype=float), int(params["n_nodes"]))
    model.c, model.d, model.a = (np.asarray(params[k], dtype=float) for k in ("c", "d", "a"))
    model.prior = np.asarray(params["prior"], dtype=float)
    return model


def fixed_cdm(q: np.ndarray) -> HybridDina:
    """The CDM of a small exam (under :data:`MIN_FIT` pupils, too few to fit 2^K patterns): DINA with the homework
    filter's slip and guess for every item, no ability term, every mastery pattern equally likely a priori."""
    model, g_size = _structure(np.asarray(q, dtype=float), 1)
    n_i = q.shape[0]
    model.c = np.full(n_i, math.log(GUESS / (1 - GUESS)))
    model.d = np.full(n_i, math.log((1 - SLIP) / SLIP) - math.log(GUESS / (1 - GUESS)))
    model.a = np.zeros(n_i)
    model.prior = g_size / g_size.sum()
    return model


def point_blocks(item_kps: list[list[int]]) -> list[list[int]]:
    """The exam's knowledge points split into CDM blocks of at most :data:`MAX_POINTS`: the first block is the
    most measured points (what one CDM modelled before blocks, so an exam of up to 12 points fits exactly as it
    did), each further block grows greedily from the most measured point left by the points that share the most
    questions with the block (so a question on two points is, where it can be, modelled in one block)."""
    counts = Counter(k for kps in item_kps for k in kps)
    order = sorted(counts, key=lambda k: (-counts[k], k))
    blocks = [sorted(order[:MAX_POINTS])]
    left = order[MAX_POINTS:]
    together: Counter[tuple[int, int]] = Counter()
    for kps in item_kps:
        for a in kps:
            for b in kps:
                if a != b:
                    together[(a, b)] += 1
    while left:
        block = [left.pop(0)]
        while left and len(block) < MAX_POINTS:
            best = max(left, key=lambda k: (sum(together[(k, b)] for b in block), counts[k], -k))
            left.remove(best)
            block.append(best)
        blocks.append(sorted(block))
    return [b for b in blocks if b]


def cdm_for_point(params: dict[str, Any], kp: int) -> tuple[HybridDina, int] | None:
    """The fitted CDM block of an exam that estimated ``kp`` and the point's column in it (``None``: not
    estimated by a CDM). Reads fits stored before blocks (one CDM, its parameters at the top) too."""
    for block in params.get("blocks") or [params]:
        if "q" in block and kp in block.get("kps", params.get("kps", [])):
            kps = block.get("kps", params.get("kps", []))
            return cdm_from_params(block), kps.index(kp)
    return None


def _fit_exam(data: Responses, q: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    if data.n_users < MIN_FIT:
        model = fixed_cdm(q)
        m, sd = model.score(data)
    elif data.n_users > CALIBRATE:
        rng = np.random.default_rng(0)
        sample = np.sort(rng.choice(data.n_users, CALIBRATE, replace=False))
        index = np.full(data.n_users, -1)
        index[sample] = np.arange(CALIBRATE)
        mask = index[data.user] >= 0
        part = Responses(index[data.user[mask]], data.item[mask], data.score[mask], CALIBRATE, data.n_items)
        model = HybridDina().fit(part, q)
        m, sd = model.score(data)
    else:
        model = HybridDina().fit(data, q)
        m, sd = model.mastery()
    params = {
        "q": q.astype(int).tolist(),
        "c": model.c.tolist(),
        "d": model.d.tolist(),
        "a": model.a.tolist(),
        "prior": model.prior.tolist(),
        "n_nodes": model.n_nodes_,
    }
    return m, sd, params


def _scores(assignment: Assignment, subs: list[tuple[int, int, int, Any]], entries: list[Entry]) -> np.ndarray:
    """The pupils × questions score table (NaN where unmarked), read in one query without Django's per-value
    conversions (``core.bulk.fetch_frame``: COPY on PostgreSQL; a district exam is 1.3 million answers)."""
    scores = np.full((len(subs), len(entries)), np.nan)
    sql = (
        f'SELECT a.submission_id, a.entry_id, CAST(a.score AS DOUBLE PRECISION) FROM "{Answer._meta.db_table}" a '  # noqa: S608
        f'JOIN "{Submission._meta.db_table}" s ON s.id = a.submission_id '
        f"WHERE s.assignment_id = {int(assignment.pk)} AND a.score IS NOT NULL"
    )
    frame = bulk.fetch_frame(sql, [], {"sub": pl.Int64, "entry": pl.Int64, "score": pl.Float64})
    if frame.height == 0 or not subs or not entries:
        return scores
    sub_ids = np.array([s[0] for s in subs], dtype=np.int64)
    entry_ids = np.array([e.pk for e in entries], dtype=np.int64)
    sub_order, entry_order = np.argsort(sub_ids), np.argsort(entry_ids)
    got_sub, got_entry = frame["sub"].to_numpy(), frame["entry"].to_numpy()
    u = sub_order[np.clip(np.searchsorted(sub_ids[sub_order], got_sub), 0, len(sub_ids) - 1)]
    i = entry_order[np.clip(np.searchsorted(entry_ids[entry_order], got_entry), 0, len(entry_ids) - 1)]
    keep = (sub_ids[u] == got_sub) & (entry_ids[i] == got_entry)  # an answer to a question no longer on the paper
    scores[u[keep], i[keep]] = frame["score"].to_numpy()[keep]
    return scores


def refit_assignment(assignment_id: int) -> RefitResult | None:
    """Re-estimate the mastery of the assignment's pupils and rebuild its class reports (one transaction)."""
    assignment = Assignment.objects.filter(pk=assignment_id).first()
    if assignment is None:
        return None
    entries = _entries(assignment)
    subs = list(
        Submission.objects.filter(assignment=assignment).values_list("pk", "student_id", "school_class_id", "score")
    )
    sub_index = {s[0]: n for n, s in enumerate(subs)}
    entry_index = {e.pk: n for n, e in enumerate(entries)}
    n_u, n_i = len(subs), len(entries)
    scores = _scores(assignment, subs, entries)
    responses: dict[tuple[int, int], Any] = {}
    for sub_id, entry_id, response in Answer.objects.filter(
        submission__assignment=assignment, score__isnull=False, response__isnull=False
    ).values_list("submission_id", "entry_id", "response"):
        i = entry_index.get(entry_id)
        if i is not None and response is not None:
            responses[(sub_index[sub_id], i)] = response
    full = np.array([e.points for e in entries]) if entries else np.zeros(0)
    answered = ~np.isnan(scores)
    pupils = np.flatnonzero(answered.any(axis=1)) if n_i else np.zeros(0, dtype=int)
    # every knowledge point the paper measures; an exam's CDM fits them in blocks of at most MAX_POINTS
    blocks = point_blocks([e.kps for e in entries])
    kps = sorted(k for b in blocks for k in b)
    q = np.array([[1 if k in e.kps else 0 for k in kps] for e in entries], dtype=int).reshape(n_i, len(kps))
    exam = assignment.kind == AssignmentKind.EXAM
    est = np.full((n_u, len(kps)), np.nan)
    unc = np.full((n_u, len(kps)), np.nan)
    params: dict[str, Any] = {}
    now = timezone.now()
    when = _when(assignment)
    student_ids = [subs[u][1] for u in pupils]
    # the state before this assignment: the latest change an earlier assignment made (so a re-run, or a refit of an
    # earlier assignment in between, gives the same answer), else a current Mastery another assignment wrote
    before: dict[tuple[int, int], tuple[float | None, int]] = {}
    current: dict[tuple[int, int], tuple[Any, Any]] = {}
    for chunk in _chunks(student_ids):
        for sid, kp, est0, ev, a_id, a_when in Mastery.objects.filter(
            student_id__in=chunk, knowledge_point_id__in=kps
        ).values_list(
            "student_id", "knowledge_point_id", "estimate", "evidence", "assignment_id", "assignment__opens_at"
        ):
            current[(sid, kp)] = (a_id, a_when)
            if a_id != assignment.pk and (a_when is None or a_when <= assignment.opens_at):
                before[(sid, kp)] = (est0, ev)
        for sid, kp, after0, ev in (
            MasteryChange.objects.filter(student_id__in=chunk, knowledge_point_id__in=kps, at__lt=when)
            .exclude(assignment=assignment)
            .order_by("student_id", "knowledge_point_id", "at", "pk")
            .values_list("student_id", "knowledge_point_id", "after", "evidence")
        ):
            before[(sid, kp)] = (after0, ev)
    if exam and pupils.size and kps:
        rows_u, rows_i = np.nonzero(answered[pupils])
        ratio = np.clip(scores[pupils][rows_u, rows_i] / full[rows_i], 0.0, 1.0)
        fitted: list[dict[str, Any]] = []
        for block in blocks:
            cols = np.array([kps.index(k) for k in block], dtype=int)
            q_b = q[:, cols]
            # a block models the questions on its points (a question also on another block's point counts here
            # on this block's points only)
            keep = (q_b.sum(axis=1) > 0)[rows_i]
            data = Responses(rows_u[keep], rows_i[keep], ratio[keep], pupils.size, n_i)
            m, sd, p_b = _fit_exam(data, q_b)
            p_b["kps"] = block
            fitted.append(p_b)
            est[np.ix_(pupils, cols)], unc[np.ix_(pupils, cols)] = m, sd
        # the first block's parameters stay at the top (what a fit stored before blocks looked like)
        params = {**fitted[0], "entries": [e.pk for e in entries], "kps": kps, "blocks": fitted}
    elif pupils.size and kps:
        for u in map(int, pupils):
            sid = subs[u][1]
            for col, kp in enumerate(kps):
                items = [i for i in range(n_i) if q[i, col] and answered[u, i]]
                if not items:
                    continue
                b = before.get((sid, kp), (None, 0))[0]
                p = PRIOR if b is None else b
                for i in items:
                    p = bkt_step(p, min(max(scores[u, i] / full[i], 0.0), 1.0))
                est[u, col], unc[u, col] = p, _sd(p)
    model = MasteryModel.CDM if exam else MasteryModel.KT
    n_on = np.zeros((n_u, len(kps)), dtype=int)
    if kps:
        n_on = answered.astype(int) @ q
    # the rows to write, column by column (``core.bulk``: COPY on PostgreSQL; a district exam is 424,000 of each)
    changes: dict[str, list[Any]] = {c: [] for c in ("student_id", "knowledge_point_id", "before", "after",
                                                     "uncertainty", "evidence_before", "evidence")}  # fmt: skip
    masteries: dict[str, list[Any]] = {c: [] for c in ("student_id", "knowledge_point_id", "estimate",
                                                       "uncertainty", "evidence")}  # fmt: skip
    for u in map(int, pupils):
        sid = subs[u][1]
        for col, kp in enumerate(kps):
            after = est[u, col]
            if math.isnan(after) or n_on[u, col] == 0:
                continue
            after = float(min(max(after, 0.0), 1.0))
            b, ev_b = before.get((sid, kp), (None, 0))
            ev = ev_b + int(n_on[u, col])
            spread = float(unc[u, col])
            if exam or b is None or abs(after - b) >= MOVED:
                for name, cell in zip(changes, (sid, kp, b, after, spread, ev_b, ev), strict=True):
                    changes[name].append(cell)
            a_id, a_when = current.get((sid, kp), (None, None))
            if a_id not in (None, assignment.pk) and a_when is not None and a_when > assignment.opens_at:
                continue  # a later assignment already moved it: a refit of an older one leaves the current value
            for name, cell in zip(masteries, (sid, kp, after, spread, ev), strict=True):
                masteries[name].append(cell)
    reports = _class_reports(assignment, entries, subs, scores, responses, kps, est, unc, pupils)
    with transaction.atomic():
        for chunk in _chunks([subs[u][1] for u in range(n_u)]):
            MasteryChange.objects.filter(assignment=assignment, student_id__in=chunk).delete()
        bulk.insert(
            MasteryChange._meta.db_table,
            pl.DataFrame(changes, schema=_CHANGE_SCHEMA).with_columns(
                model=pl.lit(str(model)), assignment_id=pl.lit(assignment.pk, dtype=pl.Int64), at=pl.lit(when, _UTC)
            ),
        )
        bulk.upsert(
            Mastery._meta.db_table,
            pl.DataFrame(masteries, schema=_MASTERY_SCHEMA).with_columns(
                subject=pl.lit(assignment.subject),
                model=pl.lit(str(model)),
                assignment_id=pl.lit(assignment.pk, dtype=pl.Int64),
                fitted_at=pl.lit(now, _UTC),
            ),
            unique=["student_id", "knowledge_point_id"],
            update_columns=["subject", "estimate", "uncertainty", "evidence", "model", "assignment_id", "fitted_at"],
        )
        ClassReport.objects.filter(assignment=assignment).exclude(
            school_class_id__in=[r.school_class_id for r in reports]
        ).delete()
        ClassReport.objects.bulk_create(
            [
                ClassReport(assignment=assignment, school_class_id=r.school_class_id, data=r.data, built_at=now)
                for r in reports
            ],
            batch_size=500,
            update_conflicts=True,
            unique_fields=["assignment", "school_class"],
            update_fields=["data", "built_at"],
        )
        fit, _ = DiagnosisFit.objects.get_or_create(assignment=assignment)
        fit.fitted_at, fit.model, fit.params, fit.fits = now, model, params, fit.fits + 1
        fit.save(update_fields=["fitted_at", "model", "params", "fits"])
    n_changes = len(changes["student_id"])
    return RefitResult(assignment.pk, str(model), int(pupils.size), len(kps), n_changes, len(reports))


# ------------------------------------------------------------------------------------------- class reports


@dataclass
class _Report:
    school_class_id: int
    data: dict[str, Any]


def _num(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 4)


def _choice_text(response: Any) -> str | None:
    if response is None:
        return None
    if isinstance(response, list):
        return "".join(sorted(str(r).strip().upper() for r in response))
    return str(response).strip().upper()


def _wrong_blanks(entry: Entry, rows: list[int], responses: dict[tuple[int, int], Any], scores: np.ndarray, i: int):
    wrong: Counter[str] = Counter()
    for u in rows:
        resp = responses.get((u, i))
        if resp is None or scores[u, i] >= entry.points - 1e-9:
            continue
        values = resp if isinstance(resp, list) else [resp]
        accepted = entry.answer
        for b, value in enumerate(values):
            text = str(value).strip()
            if not text:
                continue
            ok = b < len(accepted) and text in [
                str(a) for a in (accepted[b] if isinstance(accepted[b], list) else [accepted[b]])
            ]
            if not ok:
                wrong[f"第{b + 1}空：{text}"] += 1
    return wrong


def _class_reports(
    assignment: Assignment,
    entries: list[Entry],
    subs: list[tuple[int, int, int, Any]],
    scores: np.ndarray,
    responses: dict[tuple[int, int], Any],
    kps: list[int],
    est: np.ndarray,
    unc: np.ndarray,
    pupils: np.ndarray,
) -> list[_Report]:
    by_class: dict[int, list[int]] = defaultdict(list)
    for u in pupils:
        by_class[subs[u][2]].append(int(u))
    full = np.array([e.points for e in entries], dtype=float)
    max_total = float(full.sum())
    out = []
    for class_id, rows in sorted(by_class.items()):
        table = np.nan_to_num(scores[rows])
        totals = table.sum(axis=1)
        ratio = totals / max_total if max_total else np.zeros(len(rows))
        bins = [0] * 10
        for r in ratio:
            bins[min(int(r * 10), 9)] += 1
        stats = item_statistics(table, full)
        items = []
        wrong_list: list[dict[str, Any]] = []
        for i, e in enumerate(entries):
            st = stats.items[i]
            row: dict[str, Any] = {
                "n": e.order,
                "entry": e.pk,
                "type": ItemType(e.type).label,
                "points": e.points,
                "mean": _num(st.mean_points),
                "difficulty": _num(st.difficulty),
                "discrimination": _num(st.item_rest),
                "upper_lower": _num(st.upper_lower),
                "kps": e.kps,
                "options": [],
            }
            if e.type in (ItemType.SINGLE, ItemType.MULTIPLE, ItemType.TRUE_FALSE) and e.answer:
                choices = [_choice_text(responses.get((u, i))) for u in rows]
                if any(c is not None for c in choices):
                    key = "".join(sorted(str(a).upper() for a in e.answer))
                    opts = e.options or (["T", "F"] if e.type == ItemType.TRUE_FALSE else [])
                    for o in distractors(choices, key, totals, opts):
                        row["options"].append(
                            {
                                "option": o.option or "未答",
                                "key": o.is_key,
                                "share": _num(o.share),
                                "upper": _num(o.upper),
                                "lower": _num(o.lower),
                                "flag": o.flag,
                            }
                        )
                        if not o.is_key and o.option and o.share > 0:
                            wrong_list.append(
                                {
                                    "n": e.order,
                                    "answer": f"选 {o.option}",
                                    "count": round(o.share * len(rows)),
                                    "share": _num(o.share),
                                }
                            )
            elif e.type == ItemType.BLANK:
                for text, count in _wrong_blanks(e, rows, responses, scores, i).most_common(3):
                    wrong_list.append({"n": e.order, "answer": text, "count": count, "share": _num(count / len(rows))})
            items.append(row)
        wrong_list.sort(key=lambda w: (-w["count"], w["n"]))
        cells = est[rows] if kps else np.zeros((len(rows), 0))
        sds = unc[rows] if kps else np.zeros((len(rows), 0))
        heat: list[dict[str, Any]] = [
            {
                "student": subs[u][1],
                "total": _num(float(totals[n])),
                "cells": [
                    None if math.isnan(cells[n, k]) else [round(float(cells[n, k]), 3), round(float(sds[n, k]), 3)]
                    for k in range(len(kps))
                ],
            }
            for n, u in enumerate(rows)
        ]
        heat.sort(key=lambda h: -(h["total"] or 0))
        point_means: list[dict[str, Any]] = []
        for k, kp in enumerate(kps):
            col = cells[:, k]
            col = col[~np.isnan(col)]
            if col.size:
                point_means.append(
                    {"kp": kp, "mean": _num(float(col.mean())), "below": int((col < 0.5).sum()), "n": int(col.size)}
                )
        reteach = sorted((p for p in point_means if (p["mean"] or 0) < RETEACH_BELOW), key=lambda p: p["mean"] or 0.0)
        groups = []
        ceiling = math.inf
        for label, floor in LEVELS:
            members = [subs[u][1] for n, u in enumerate(rows) if floor <= ratio[n] < ceiling]
            groups.append({"label": label, "floor": floor, "students": members})
            ceiling = floor
        out.append(
            _Report(
                class_id,
                {
                    "kind": assignment.kind,
                    "n": len(rows),
                    "max_total": max_total,
                    "mean": _num(float(totals.mean())),
                    "sd": _num(float(totals.std())),
                    "high": _num(float(totals.max())),
                    "low": _num(float(totals.min())),
                    "pass_rate": _num(float((ratio >= 0.6).mean())),
                    "excellent_rate": _num(float((ratio >= 0.85).mean())),
                    "alpha": _num(stats.alpha),
                    "bins": bins,
                    "items": items,
                    "wrong": wrong_list[:12],
                    "kps": kps,
                    "heat": heat,
                    "point_means": point_means,
                    "reteach": reteach,
                    "groups": groups,
                },
            )
        )
    return out
