"""Read the evaluation files, fit a model on the training file, score it on the test file (numpy only).

Formats (the ``zhijiao learning evaluate`` contract):

- CDM: CSV ``user_id,item_id,score`` with a header (score in [0, 1]) and a Q-matrix file, one whitespace-separated
  0/1 row per item in item_id order (integer item ids index the rows; other ids are sorted).
- KT ``tsv``: ``user_id item_id timestamp correct skill_id`` with a header, rows in time order per student.
- KT ``pykt``: pyKT's ``fold,uid,[questions,]concepts,responses[,timestamps]`` with comma lists per student.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import cdm, gru, kt
from .metrics import summary


class DataError(ValueError):
    """The input files cannot be used (message in Chinese, for the command's users)."""


# ------------------------------------------------------------------------------------------ CDM


def _read_rows(path: Path, columns: tuple[str, ...], delimiter: str) -> list[list[str]]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f, delimiter=delimiter)
            header = [h.strip() for h in next(reader, [])]
            missing = [c for c in columns if c not in header]
            if missing:
                raise DataError(f"{path.name}：缺少列 {', '.join(missing)}（表头应为 {delimiter.join(columns)}）")
            idx = [header.index(c) for c in columns]
            return [[row[i].strip() for i in idx] for row in reader if row and any(cell.strip() for cell in row)]
    except OSError as exc:
        raise DataError(f"无法读取文件 {path}：{exc.strerror}") from exc


def _index(tokens: Iterable[str]) -> dict[str, int]:
    uniq = sorted(set(tokens), key=lambda t: (0, int(t), t) if t.lstrip("-").isdigit() else (1, 0, t))
    return {t: i for i, t in enumerate(uniq)}


def read_q(path: Path) -> np.ndarray:
    try:
        q = np.loadtxt(path, ndmin=2)
    except (OSError, ValueError) as exc:
        raise DataError(f"无法读取 Q 矩阵 {path}：{exc}") from exc
    if not np.isin(q, (0, 1)).all():
        raise DataError(f"{path.name}：Q 矩阵只能包含 0 和 1")
    return q


def read_cdm(train_path: Path, test_path: Path, q: np.ndarray) -> tuple[cdm.Responses, cdm.Responses]:
    cols = ("user_id", "item_id", "score")
    train, test = _read_rows(train_path, cols, ","), _read_rows(test_path, cols, ",")
    users = _index(r[0] for r in train + test)
    items = [r[1] for r in train + test]
    # integer ids index the Q-matrix's rows; other ids are sorted
    item_index = {t: int(t) for t in set(items)} if all(t.isdigit() for t in items) else _index(items)
    if max(item_index.values(), default=-1) >= q.shape[0]:
        raise DataError(f"题目数多于 Q 矩阵的行数（{q.shape[0]}）")

    def arrays(rows: list[list[str]], name: str) -> cdm.Responses:
        try:
            score = np.array([float(r[2]) for r in rows])
        except ValueError as exc:
            raise DataError(f"{name}：得分必须是 0 到 1 之间的数") from exc
        if score.size and (score.min() < 0 or score.max() > 1):
            raise DataError(f"{name}：得分必须是 0 到 1 之间的数")
        return cdm.Responses(
            np.array([users[r[0]] for r in rows], dtype=np.int64),
            np.array([item_index[r[1]] for r in rows], dtype=np.int64),
            score,
            len(users),
            q.shape[0],
        )

    return arrays(train, train_path.name), arrays(test, test_path.name)


def evaluate_cdm(train_path: Path, test_path: Path, q_path: Path, model: str = "hybrid") -> dict[str, object]:
    q = read_q(q_path)
    train, test = read_cdm(train_path, test_path, q)
    if model not in cdm.MODELS:
        raise DataError(f"未知模型：{model}（可选 {', '.join(cdm.MODELS)}）")
    start = time.perf_counter()
    fitted = cdm.MODELS[model]().fit(train, q)
    fit_seconds = time.perf_counter() - start
    prob = fitted.predict(test.user, test.item)
    return {
        "model": model,
        **summary(test.score, prob),
        "fit_seconds": round(fit_seconds, 3),
        "n_train": int(train.user.size),
        "n_test": int(test.user.size),
    }


# ------------------------------------------------------------------------------------------ KT


@dataclass
class KtRows:
    user: list[str]
    item: list[str]
    skill: list[str]
    timestamp: list[float]
    correct: list[float]
    predict: list[bool]  # rows that are scored (pyKT does not score the first answer of a sequence)
    fold: list[int]


def read_kt_tsv(path: Path) -> KtRows:
    rows = _read_rows(path, ("user_id", "item_id", "timestamp", "correct", "skill_id"), "\t")
    try:
        ts = [float(r[2]) if r[2] else 0.0 for r in rows]
        correct = [float(r[3]) for r in rows]
    except ValueError as exc:
        raise DataError(f"{path.name}：timestamp 和 correct 必须是数字") from exc
    return KtRows(
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[4] for r in rows],
        ts,
        correct,
        [True] * len(rows),
        [0] * len(rows),
    )


def read_pykt(path: Path, *, chunk: int | None = None, min_len: int = 3) -> KtRows:
    """pyKT's per-student rows. With ``chunk`` (pyKT's test protocol: 200), each sequence is cut into pieces of
    at most ``chunk`` answers, pieces shorter than ``min_len`` are dropped, each piece is its own sequence and
    its first answer is not scored."""
    out = KtRows([], [], [], [], [], [], [])
    try:
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                concepts = row["concepts"].split(",")
                questions = row["questions"].split(",") if row.get("questions") else concepts
                responses = [float(v) for v in row["responses"].split(",")]
                stamps = [float(v) / 1000.0 for v in row["timestamps"].split(",")] if row.get("timestamps") else None
                n = len(responses)
                pieces = [(0, n)] if chunk is None else [(s, min(n, s + chunk)) for s in range(0, n, chunk)]
                for p, (s, e) in enumerate(pieces):
                    if e - s < min_len:
                        continue
                    for j in range(s, e):
                        if responses[j] < 0:  # pyKT's padding
                            continue
                        out.user.append(f"{row['uid']}#{p}" if chunk else row["uid"])
                        out.item.append(questions[j])
                        out.skill.append(concepts[j].split("_")[0])
                        out.timestamp.append(stamps[j] if stamps else 0.0)
                        out.correct.append(responses[j])
                        out.predict.append(j > s)
                        out.fold.append(int(row.get("fold") or 0))
    except (OSError, KeyError, ValueError) as exc:
        raise DataError(f"无法读取 pyKT 文件 {path}：{exc}") from exc
    return out


def _interactions(rows: KtRows, items: dict[str, int], skills: dict[str, int]) -> kt.Interactions:
    users = _index(rows.user)
    return kt.Interactions(
        np.array([users[u] for u in rows.user], dtype=np.int64),
        np.array([items.get(t, -1) for t in rows.item], dtype=np.int64),
        np.array([skills.get(t, -1) for t in rows.skill], dtype=np.int64),
        np.array(rows.timestamp, dtype=float),
        np.array(rows.correct, dtype=float),
        len(items),
        len(skills),
    )


KT_MODELS: dict[str, type] = {**kt.MODELS, "lrgru": gru.LrGru}


def evaluate_kt(
    train_path: Path,
    test_path: Path,
    model: str = "lrgru",
    fmt: str = "tsv",
    chunk: int | None = 200,
    timings: dict[str, float] | None = None,
) -> dict[str, object]:
    """Fit on the training file; predict every scored test row from the student's earlier test rows.
    ``timings``, when given, receives the fit's CPU seconds of this process (``fit_cpu_seconds``): on a shared
    machine the wall time also counts the time other processes held the cores."""
    if model not in KT_MODELS:
        raise DataError(f"未知模型：{model}（可选 {', '.join(KT_MODELS)}）")
    if fmt == "pykt":
        train_rows, test_rows = read_pykt(train_path), read_pykt(test_path, chunk=chunk)
    else:
        train_rows, test_rows = read_kt_tsv(train_path), read_kt_tsv(test_path)
    # Unseen test items and skills get their own index with no training data (bias 0 under the prior).
    items = _index(train_rows.item + test_rows.item)
    skills = _index(train_rows.skill + test_rows.skill)
    train = _interactions(train_rows, items, skills)
    test = _interactions(test_rows, items, skills)
    start, cpu = time.perf_counter(), time.process_time()
    fitted = KT_MODELS[model]()
    fold = np.array(train_rows.fold)
    if isinstance(fitted, kt.FeatureLr | gru.LrGru) and fmt == "pykt" and 0 < np.sum(fold == 0) < fold.size:
        # pyKT's own validation fold (fold 0) picks the prior strength (without folds: a random fifth)
        fitted.fit(train, valid_users=np.unique(train.user[fold == 0]))
    else:
        fitted.fit(train)
    fit_seconds = time.perf_counter() - start
    if timings is not None:
        timings["fit_cpu_seconds"] = round(time.process_time() - cpu, 3)
    prob = fitted.predict(test)
    scored = np.array(test_rows.predict, dtype=bool)
    return {
        "model": model,
        **summary(test.correct[scored], prob[scored]),
        "fit_seconds": round(fit_seconds, 3),
        "n_train": int(train.user.size),
        "n_test": int(scored.sum()),
    }
