"""Probabilistic matching for rows without an ID number (数据比对), with Splink on DuckDB.

Exact keys come first (ID number, then 学籍号) in the kinds; what reaches this module is a student the file
names without any key the registry knows. Splink scores each (incoming row, registry student) pair sharing a
birth date or a name's pinyin, on name (exact, same pinyin — 张晓明/章晓明 — or close pinyin), birth date,
sex, guardian phone and school. The model's m/u probabilities are fixed and documented here rather than
trained per file: files are small and a bureau must be able to explain a decision.

Verdicts: probability ≥ ``AUTO`` links automatically; ≥ ``REVIEW`` goes to the review queue; below is a new
person. A recorded :class:`~zhijiao.intake.models.MatchDecision` for the row's fingerprint overrides all.
"""

from __future__ import annotations

import hashlib
import logging

import polars as pl
from pypinyin import lazy_pinyin

from zhijiao.intake.kinds.common import decisions_frame

AUTO = 0.99
REVIEW = 0.5
log = logging.getLogger(__name__)


def link_key(name: str | None, birth: object, sex: str | None, school_code: str | None) -> str:
    text = f"{name or ''}|{birth or ''}|{sex or ''}|{school_code or ''}"
    return "link:" + hashlib.sha256(text.encode()).hexdigest()[:40]


def _pinyin(names: pl.Series) -> pl.Series:
    return pl.Series([" ".join(lazy_pinyin(n)) if n else None for n in names.to_list()], dtype=pl.String)


def _settings():  # imported lazily: Splink is heavy and only needed when a file has unknown people
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    name = cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.NullLevel("name"),
            cll.ExactMatchLevel("name").configure(m_probability=0.88, u_probability=0.0005),
            cll.ExactMatchLevel("name_pinyin").configure(m_probability=0.06, u_probability=0.0008),
            cll.JaroWinklerLevel("name_pinyin", 0.9).configure(m_probability=0.04, u_probability=0.01),
            cll.ElseLevel().configure(m_probability=0.02, u_probability=0.9887),
        ],
    )
    birth = cl.CustomComparison(
        output_column_name="birth_date",
        comparison_levels=[
            cll.NullLevel("birth_date"),
            cll.ExactMatchLevel("birth_date").configure(m_probability=0.97, u_probability=0.0003),
            cll.ElseLevel().configure(m_probability=0.03, u_probability=0.9997),
        ],
    )

    def exact(column: str, m: float, u: float) -> cl.CustomComparison:
        return cl.CustomComparison(
            output_column_name=column,
            comparison_levels=[
                cll.NullLevel(column),
                cll.ExactMatchLevel(column).configure(m_probability=m, u_probability=u),
                cll.ElseLevel().configure(m_probability=1 - m, u_probability=1 - u),
            ],
        )

    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="uid",
        probability_two_random_records_match=1e-6,
        comparisons=[
            name,
            birth,
            exact("sex", 0.99, 0.5),
            exact("guardian_phone", 0.8, 0.00001),
            exact("school_code", 0.7, 0.01),
        ],
        blocking_rules_to_generate_predictions=[block_on("birth_date"), block_on("name_pinyin")],
        retain_intermediate_calculation_columns=False,
    )


def probable_matches(rows: pl.DataFrame, students: pl.DataFrame) -> pl.DataFrame:
    """For each incoming row: the best registry student, its probability and a verdict.

    ``rows`` needs _row, name, birth_date, sex, school_code, guardian_phone; ``students`` the registry's
    student_id, person_id, name, birth_date, sex, school_id. Returns _row, person_id, student_id, _score,
    _link_key and _pm_verdict (same_person / review / new).
    """
    rows = rows.with_columns(
        _link_key=pl.Series(
            [link_key(*values) for values in rows.select("name", "birth_date", "sex", "school_code").iter_rows()],
            dtype=pl.String,
        )
    )
    decided = decisions_frame().filter(pl.col("key").str.starts_with("link:"))
    rows = rows.join(decided.rename({"key": "_link_key", "person_id": "_decided_person"}), on="_link_key", how="left")
    result = rows.select(
        "_row",
        "_link_key",
        pl.col("_decided_person").alias("person_id"),
        pl.lit(None, dtype=pl.Float64).alias("_score"),
        pl.when(pl.col("verdict") == "same_person")
        .then(pl.lit("same_person"))
        .when(pl.col("verdict") == "different_person")
        .then(pl.lit("new"))
        .alias("_pm_verdict"),
    )
    undecided = rows.filter(pl.col("verdict").is_null())
    if undecided.height:
        scored = _score(undecided, students)
        result = (
            result.join(scored, on="_row", how="left", suffix="_s")
            .with_columns(
                person_id=pl.coalesce("person_id", "person_id_s"),
                _score=pl.coalesce("_score", "_score_s"),
                _pm_verdict=pl.coalesce(
                    "_pm_verdict",
                    pl.when(pl.col("_score_s") >= AUTO)
                    .then(pl.lit("same_person"))
                    .when(pl.col("_score_s") >= REVIEW)
                    .then(pl.lit("review"))
                    .otherwise(pl.lit("new")),
                ),
            )
            .drop("person_id_s", "_score_s")
        )
    by_person = students.select("person_id", "student_id").unique("person_id")
    return result.join(by_person, on="person_id", how="left").with_columns(
        pl.when(pl.col("_pm_verdict") == "new").then(None).otherwise(pl.col("person_id")).alias("person_id")
    )


def _score(rows: pl.DataFrame, students: pl.DataFrame) -> pl.DataFrame:
    from splink import DuckDBAPI, Linker

    births = rows["birth_date"].drop_nulls().unique()
    names = rows["name"].drop_nulls().unique()
    candidates = students.filter(pl.col("birth_date").is_in(births.implode()) | pl.col("name").is_in(names.implode()))
    if candidates.height == 0:
        return pl.DataFrame(schema={"_row": pl.Int64, "person_id": pl.Int64, "_score": pl.Float64})
    phones = _guardian_phones(candidates["student_id"])
    candidates = candidates.join(phones, on="student_id", how="left").join(_school_codes(), on="school_id", how="left")
    left = rows.select(
        pl.concat_str(pl.lit("r"), pl.col("_row").cast(pl.String)).alias("uid"),
        "name",
        pl.col("birth_date").cast(pl.String),
        "sex",
        "guardian_phone",
        "school_code",
    )
    right = candidates.select(
        pl.concat_str(pl.lit("s"), pl.col("person_id").cast(pl.String)).alias("uid"),
        "name",
        pl.col("birth_date").cast(pl.String),
        "sex",
        "guardian_phone",
        "school_code",
    )
    left = left.with_columns(name_pinyin=_pinyin(left["name"]))
    right = right.with_columns(name_pinyin=_pinyin(right["name"]))
    db_api = DuckDBAPI()
    tables = [
        db_api.register(left.to_arrow(), dataset_display_name="incoming"),
        db_api.register(right.to_arrow(), dataset_display_name="registry"),
    ]
    linker = Linker(tables, _settings(), log_level=logging.WARNING)
    # .pl(), not pl.from_arrow(.arrow()): DuckDB's arrow() is a record-batch reader, and an empty one (no pair
    # above the threshold) carries no batch Polars can build a frame from
    relation = linker.inference.predict(threshold_match_probability=0.01, warning_mode="never").as_duckdbpyrelation()
    predictions = relation.pl()
    if predictions.height == 0:
        return pl.DataFrame(schema={"_row": pl.Int64, "person_id": pl.Int64, "_score": pl.Float64})
    pairs = predictions.select(
        pl.when(pl.col("uid_l").str.starts_with("r")).then(pl.col("uid_l")).otherwise(pl.col("uid_r")).alias("r"),
        pl.when(pl.col("uid_l").str.starts_with("s")).then(pl.col("uid_l")).otherwise(pl.col("uid_r")).alias("s"),
        pl.col("match_probability").alias("_score"),
    )
    best = pairs.sort("_score", descending=True).unique("r", keep="first")
    return best.select(
        pl.col("r").str.slice(1).cast(pl.Int64).alias("_row"),
        pl.col("s").str.slice(1).cast(pl.Int64).alias("person_id"),
        "_score",
    )


def _guardian_phones(student_ids: pl.Series) -> pl.DataFrame:
    from zhijiao.people.models import Guardianship

    rows = Guardianship.objects.filter(student_id__in=student_ids.to_list()).values_list(
        "student_id", "guardian__phone"
    )
    frame = pl.DataFrame(list(rows), schema={"student_id": pl.Int64, "guardian_phone": pl.String}, orient="row")
    return frame.filter(pl.col("guardian_phone") != "").unique("student_id", keep="first")


def _school_codes() -> pl.DataFrame:
    from zhijiao.org.models import School

    return pl.DataFrame(
        list(School.objects.values_list("pk", "code")),
        schema={"school_id": pl.Int64, "school_code": pl.String},
        orient="row",
    )
