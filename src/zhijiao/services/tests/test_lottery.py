"""The pure procedure: canonical list, RFC 3797 key, unbiased shuffle, byte-identical re-runs, verify."""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
from pathlib import Path

import pytest

from zhijiao.services import lottery

ROOT = Path(__file__).resolve().parents[4]
STANDALONE = ROOT / "scripts" / "lottery_verify_standalone.py"
DOC = ROOT / "docs" / "lottery.md"
INPUT = "9319 / {42 2 5 12 27 33 40}"


def _draw(data: bytes, seats: int = 10, public_input: str = INPUT) -> lottery.Draw:
    return lottery.draw(lottery.parse_applicants(data), seats=seats, public_input=public_input, title="测试派位")


def test_the_canonical_list_is_sorted_masked_and_holds_no_id_numbers(applicants_csv):
    shuffled = applicants_csv.decode().splitlines()
    shuffled = "\ufeff" + shuffled[0] + "\r\n" + "\r\n".join(reversed(shuffled[1:])) + "\r\n"
    listing = lottery.applicants_csv(lottery.parse_applicants(shuffled.encode()))
    assert listing == lottery.applicants_csv(lottery.parse_applicants(applicants_csv))
    text = listing.decode()
    assert text.startswith("application_no,name_masked\n2026-0001,申***\n")
    assert "420112" not in text and "申请人" not in text
    # the published list re-canonicalises to itself (verify reads it back)
    assert lottery.applicants_csv(lottery.parse_applicants(listing)) == listing


def test_a_one_character_name_is_not_published_whole():
    listing = lottery.applicants_csv(lottery.parse_applicants("报名编号,姓名\nA1, 张 \n".encode()))
    assert listing.decode() == "application_no,name_masked\nA1,张*\n"
    assert lottery.applicants_csv(lottery.parse_applicants(listing)) == listing


def test_bad_lists_are_refused_with_the_rows_named():
    with pytest.raises(lottery.LotteryInputError, match="第3行：报名编号 A1 与第2行重复"):
        lottery.parse_applicants(b"application_no\nA1\nA1\n")
    with pytest.raises(lottery.LotteryInputError, match="第2行：报名编号应为"):
        lottery.parse_applicants("application_no\n张三\n".encode())
    with pytest.raises(lottery.LotteryInputError, match="缺少“报名编号”列"):
        lottery.parse_applicants(b"name\nx\n")


def test_the_public_input_key_is_rfc_3797_canonical():
    assert lottery.public_input_key(INPUT) == "9319./2.5.12.27.33.40.42./"
    assert lottery.public_input_key("007 3 1／{09,01}") == "7.3.1./1.9./"  # order kept outside braces
    for bad in ("", "  / ", "12 a3", "{1 2"):
        with pytest.raises(lottery.LotteryInputError):
            lottery.public_input_key(bad)


def test_the_commitment_binds_procedure_seats_and_list(applicants_csv):
    listing, list_hash, commit = lottery.prepare(lottery.parse_applicants(applicants_csv), seats=10)
    assert list_hash == lottery.sha256_hex(listing)
    assert commit != lottery.prepare(lottery.parse_applicants(applicants_csv), seats=11)[2]
    assert commit != lottery.commitment(seats=10, applicants_sha256=list_hash, procedure_sha256="0" * 64)


def test_a_rerun_from_the_published_inputs_is_byte_identical(applicants_csv, tmp_path):
    first = _draw(applicants_csv)
    lottery.write(first, tmp_path / "a")
    again = _draw((tmp_path / "a" / "applicants.csv").read_bytes())
    assert again.files == first.files
    assert lottery.verify(tmp_path / "a") == []
    result = first.files["result.csv"].decode().splitlines()
    assert result[0] == "rank,application_no,outcome" and len(result) == 41
    assert [r.split(",")[2] for r in result[1:]].count("admitted") == 10
    inputs = json.loads(first.files["inputs.json"])
    assert inputs["public_input_key"] == "9319./2.5.12.27.33.40.42./" and inputs["commitment"] == first.commitment
    sums = first.files["SHA256SUMS"].decode().splitlines()
    assert sums == [
        f"{lottery.sha256_hex(first.files[n])}  {n}" for n in ("applicants.csv", "inputs.json", "result.csv")
    ]
    # a different public input gives a different order
    assert _draw(applicants_csv, public_input="9318 / {42 2 5 12 27 33 40}").order != first.order


def test_a_known_answer_pins_the_procedure(applicants_csv):
    """If this changes, every published draw stops verifying: change PROCEDURE_VERSION instead."""
    d = _draw(applicants_csv)
    assert d.commitment == "c57698c0bd2d7750b246359832dc70f6bf53d50a1445e31942fcfc5344273d8e"
    assert (
        lottery.sha256_hex(d.files["result.csv"]) == "7871fe886a9da79d1a2a04625ff003fbcfac7d25a14c6de0a348eaaeeda93a9d"
    )


@pytest.mark.parametrize("name", lottery.FILES)
def test_verify_fails_on_one_changed_byte_in_any_file(applicants_csv, tmp_path, name):
    lottery.write(_draw(applicants_csv), tmp_path)
    data = bytearray((tmp_path / name).read_bytes())
    for position in (len(data) // 2, len(data) - 2):
        changed = bytearray(data)
        changed[position] = ord("7") if changed[position] != ord("7") else ord("3")
        (tmp_path / name).write_bytes(bytes(changed))
        problems = lottery.verify(tmp_path)
        assert problems, f"a changed byte at {position} of {name} went unnoticed"
        assert all(isinstance(p, str) for p in problems)
    (tmp_path / name).write_bytes(bytes(data))
    assert lottery.verify(tmp_path) == []
    (tmp_path / name).unlink()
    assert any("缺少文件" in p for p in lottery.verify(tmp_path))


def test_the_stream_draws_below_m_without_bias_and_rejects_the_tail():
    stream = lottery.Stream(b"\0" * 32)
    assert all(0 <= stream.below(m) < m for m in (1, 2, 3, 7, 10**6, 2**63 + 1) for _ in range(50))
    # m just above 2**63: about half of the 64-bit values are rejected; the answers still fall below m
    big = 2**63 + 12345
    values = [stream.below(big) for _ in range(200)]
    assert max(values) < big


def test_the_standalone_script_gives_the_same_bytes(applicants_csv, tmp_path):
    lottery.write(_draw(applicants_csv), tmp_path)
    run = subprocess.run([sys.executable, str(STANDALONE), str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert lottery.sha256_hex((tmp_path / "result.csv").read_bytes()) in run.stdout
    (tmp_path / "result.csv").write_bytes((tmp_path / "result.csv").read_bytes().replace(b"admitted", b"waitlist", 1))
    assert subprocess.run([sys.executable, str(STANDALONE), str(tmp_path)], capture_output=True).returncode == 1


def test_the_doc_carries_the_standalone_script_verbatim():
    doc = DOC.read_text("utf-8")
    script = STANDALONE.read_text("utf-8")
    assert "```python\n" + script + "```" in doc


def _chi_square_sf(statistic: float, df: int) -> float:
    """Survival function of the chi-square distribution (regularised upper incomplete gamma, series/fraction)."""
    a, x = df / 2, statistic / 2
    if x <= 0:
        return 1.0
    if x < a + 1:
        term = total = 1 / a
        n = a
        for _ in range(1000):
            n += 1
            term *= x / n
            total += term
        return 1 - total * math.exp(-x + a * math.log(x) - math.lgamma(a))
    b, c, d = x + 1 - a, 1 / 1e-300, 1 / (x + 1 - a)
    h = d
    for i in range(1, 1000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = 1 / (d if abs(d) > 1e-300 else 1e-300)
        c = b + an / c if abs(b + an / c) > 1e-300 else 1e-300
        h *= d * c
    return math.exp(-x + a * math.log(x) - math.lgamma(a)) * h


def test_the_chi_square_survival_function_matches_tables():
    assert _chi_square_sf(16.919, 9) == pytest.approx(0.05, abs=2e-4)
    assert _chi_square_sf(3.841, 1) == pytest.approx(0.05, abs=2e-4)
    assert _chi_square_sf(124.342, 100) == pytest.approx(0.05, abs=2e-4)


@pytest.mark.slow
def test_every_applicant_has_equal_odds_over_100000_draws():
    """10 applicants, 3 seats, 100,000 draws from a fixed sequence of public inputs: admissions per applicant and
    the applicant at each rank are uniform (chi-square; p printed, and each p above 0.001)."""
    n, seats, draws = 10, 3, 100_000
    numbers = [f"A{i:02d}" for i in range(n)]
    applicants = [lottery.Applicant(no) for no in numbers]
    _, _, commit = lottery.prepare(applicants, seats=seats)
    admitted = dict.fromkeys(numbers, 0)
    at_rank = [[0] * n for _ in range(n)]  # at_rank[rank][applicant]
    for k in range(draws):
        order = lottery.shuffle(numbers, lottery.seed_of(commitment_hex=commit, key=f"{k}./"))
        for rank, no in enumerate(order):
            at_rank[rank][int(no[1:])] += 1
        for no in order[:seats]:
            admitted[no] += 1
    expected = draws * seats / n
    stat = sum((c - expected) ** 2 / expected for c in admitted.values())
    p_admission = _chi_square_sf(stat, n - 1)
    rank_p = []
    for row in at_rank:
        e = draws / n
        rank_p.append(_chi_square_sf(sum((c - e) ** 2 / e for c in row), n - 1))
    table = [c for row in at_rank for c in row]
    e = draws / n
    stat_all = sum((c - e) ** 2 / e for c in table)
    p_all = _chi_square_sf(stat_all, (n - 1) * (n - 1))
    print(
        f"\nadmission chi2={stat:.2f} df={n - 1} p={p_admission:.4f}; rank×applicant chi2={stat_all:.2f} "
        f"df={(n - 1) ** 2} p={p_all:.4f}; per-rank p min={min(rank_p):.4f}"
    )
    assert p_admission > 0.001 and p_all > 0.001 and min(rank_p) > 0.001 / n


def test_a_biased_shuffle_would_fail_the_same_check():
    """The check has teeth: a modulo-biased shuffle over a small stream is caught."""
    rng = random.Random(7)
    n, draws = 10, 20_000
    counts = [0] * n
    for _ in range(draws):
        counts[(rng.getrandbits(4)) % n] += 1  # 16 values mod 10: 0–5 twice as likely
    e = draws / n
    assert _chi_square_sf(sum((c - e) ** 2 / e for c in counts), n - 1) < 1e-6
