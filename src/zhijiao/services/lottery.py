"""The auditable admission lottery (公民同招 电脑派位): a pure, documented procedure, no Django.

Anyone can re-run a published draw and get the same bytes: ``docs/lottery.md`` states every step and carries a
standard-library script (``scripts/lottery_verify_standalone.py``) that does exactly what this module does.

Procedure ``zhijiao-lottery-1``:

1. **Canonical applicant list** (``applicants.csv``): UTF-8, no BOM, ``\\n`` line ends, header
   ``application_no,name_masked``, one row per applicant sorted by application number (code-point order).
   Application numbers are 1–32 of ``A-Z a-z 0-9 -`` and unique. A name column, when given, is published masked
   (first character, then one ``*`` per further character); ID numbers and other columns are never published.
2. ``applicants_sha256`` = SHA-256 of those bytes.
3. **Commitment** = SHA-256 of ``"zhijiao-lottery-1\\n{procedure_sha256}\\n{seats}\\n{applicants_sha256}\\n"``,
   where ``procedure_sha256`` is the SHA-256 of :data:`PROCEDURE_TEXT` (UTF-8). Published before the draw.
4. **Public input key** (RFC 3797 canonical form): the notary's text is split into sources at ``/``; each
   source's numbers (runs of digits) are written in decimal without leading zeros, each followed by ``.``, and
   each source is followed by ``/``. A source written in braces ``{…}`` is a set (e.g. lottery balls drawn in
   any order): its numbers are sorted ascending first, as RFC 3797 section 4 says. ``"9319 / {42 2 5}"`` →
   ``"9319./2.5.42./"``.
5. **Seed** = SHA-256 of ``"{commitment}\\n{key}"`` (UTF-8), so the order depends on both the committed list and
   the public inputs.
6. **Stream**: block *i* (i = 0, 1, 2 …) = SHA-256(seed ‖ i as 8 bytes big-endian); the blocks are read as a
   sequence of 64-bit big-endian unsigned integers, 4 per block, in order.
7. **Uniform integer below m** (rejection sampling, no modulo bias): take the next integer *x*; if
   ``x >= 2**64 - (2**64 % m)`` drop it and take the next; otherwise the answer is ``x % m``.
8. **Shuffle** (Fisher–Yates, front to back, like RFC 3797's "select from the remaining"): for position
   i = 0 … n-2, pick j = i + uniform(n - i) and swap entries i and j. Rank i+1 is the entry at position i.
9. ``result.csv``: header ``rank,application_no,outcome``; ranks 1…n; ``admitted`` for ranks ≤ seats, then
   ``waitlist``. ``inputs.json`` (keys sorted, 2-space indent, non-ASCII kept, ``\\n`` at the end) holds the
   inputs and hashes; ``SHA256SUMS`` lists the three files as ``sha256sum`` writes them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from zhijiao.core.masking import mask_name

PROCEDURE_VERSION = "zhijiao-lottery-1"

# The procedure document the commitment binds to; changing a word of it changes every commitment, which is the
# point: the families check that the published commitment names this very procedure.
PROCEDURE_TEXT = """智教 电脑派位程序 zhijiao-lottery-1
1. 报名名单按报名编号排序，生成规范名单 applicants.csv（只含报名编号与遮盖后的姓名），计算其 SHA-256。
2. 承诺值 = SHA-256("zhijiao-lottery-1\\n" + 本程序文本的 SHA-256 + "\\n" + 招生名额 + "\\n" + 名单 SHA-256 + "\\n")，
   抽签前公示。
3. 抽签时由公证员录入事先公告的公开数据（如当期彩票开奖号码），按 RFC 3797 规范化为种子串。
4. 种子 = SHA-256(承诺值 + "\\n" + 种子串)；随机流第 i 块 = SHA-256(种子 + i 的 8 字节大端表示)。
5. 以拒绝采样取无偏随机整数，按 Fisher–Yates 洗牌得到全部申请人的顺序；前"招生名额"位录取，其余候补。
6. 公布 applicants.csv、inputs.json、result.csv 与 SHA256SUMS；任何人可用 zhijiao lottery verify 复核。
"""

APPLICANTS_FILE = "applicants.csv"
INPUTS_FILE = "inputs.json"
RESULT_FILE = "result.csv"
SUMS_FILE = "SHA256SUMS"
FILES = (APPLICANTS_FILE, INPUTS_FILE, RESULT_FILE, SUMS_FILE)

ADMITTED = "admitted"
WAITLIST = "waitlist"

_APP_NO = re.compile(r"[A-Za-z0-9-]{1,32}")
_NO_COLUMNS = ("application_no", "申请编号", "报名编号", "报名号")
_NAME_COLUMNS = ("name", "name_masked", "姓名")
_SOURCE = re.compile(r"\s*(\{)?([^{}]*?)(\})?\s*")


class LotteryInputError(ValueError):
    """Input that cannot be drawn; the message is Chinese and names what is wrong."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


PROCEDURE_SHA256 = sha256_hex(PROCEDURE_TEXT.encode("utf-8"))


# ------------------------------------------------------------------------------------------- applicants
@dataclass(frozen=True)
class Applicant:
    application_no: str
    name_masked: str = ""


def parse_applicants(data: bytes) -> list[Applicant]:
    """Read an applicant CSV (UTF-8, optional BOM): a column of application numbers, optionally names.

    Every problem is collected as ``第N行：说明`` and the whole list is refused.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LotteryInputError("名单文件应为 UTF-8 编码的 CSV") from exc
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise LotteryInputError("名单文件是空的")
    header = [h.strip().lower() for h in rows[0]]
    no_col = next((header.index(c) for c in _NO_COLUMNS if c in header), None)
    if no_col is None:
        raise LotteryInputError("名单缺少“报名编号”列（表头 application_no 或 报名编号）")
    name_col = next((header.index(c) for c in _NAME_COLUMNS if c in header), None)
    errors: list[str] = []
    seen: dict[str, int] = {}
    out: list[Applicant] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        no = row[no_col].strip() if no_col < len(row) else ""
        if not _APP_NO.fullmatch(no):
            errors.append(f"第{line}行：报名编号应为 1–32 位字母、数字或连字符")
            continue
        if no in seen:
            errors.append(f"第{line}行：报名编号 {no} 与第{seen[no]}行重复")
            continue
        seen[no] = line
        name = row[name_col] if name_col is not None and name_col < len(row) else ""
        out.append(Applicant(no, mask_name(name.strip())))  # idempotent: a published list re-canonicalises to itself
    if errors:
        raise LotteryInputError("；".join(errors[:20]) + ("……" if len(errors) > 20 else ""))
    if not out:
        raise LotteryInputError("名单里没有申请人")
    return sorted(out, key=lambda a: a.application_no)


def applicants_csv(applicants: Sequence[Applicant]) -> bytes:
    """The canonical list: header, then one row per applicant in application-number order."""
    ordered = sorted(applicants, key=lambda a: a.application_no)
    lines = ["application_no,name_masked"] + [f"{a.application_no},{_csv_cell(a.name_masked)}" for a in ordered]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _csv_cell(value: str) -> str:
    if any(c in value for c in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value


# ------------------------------------------------------------------------------------------ commitment
def commitment(*, seats: int, applicants_sha256: str, procedure_sha256: str = PROCEDURE_SHA256) -> str:
    text = f"{PROCEDURE_VERSION}\n{procedure_sha256}\n{seats}\n{applicants_sha256}\n"
    return sha256_hex(text.encode("utf-8"))


# --------------------------------------------------------------------------------------- public inputs
def public_input_key(text: str) -> str:
    """RFC 3797 canonical form of the notary's text: ``"9319 / {42 2 5}"`` → ``"9319./2.5.42./"``."""
    sources = [s for s in text.replace("／", "/").split("/") if s.strip()]
    if not sources:
        raise LotteryInputError("请录入公开数据（如当期彩票开奖号码）")
    key = []
    for source in sources:
        m = _SOURCE.fullmatch(source)
        if m is None or bool(m.group(1)) != bool(m.group(3)):
            raise LotteryInputError(f"公开数据“{source.strip()}”的括号不成对")
        body = m.group(2)
        if re.search(r"[^\d\s,，.、]", body):
            raise LotteryInputError(f"公开数据“{source.strip()}”只能包含数字，数字之间用空格或逗号分隔")
        numbers = [int(d) for d in re.findall(r"\d+", body)]
        if not numbers:
            raise LotteryInputError(f"公开数据“{source.strip()}”里没有数字")
        if m.group(1):
            numbers.sort()
        key.append("".join(f"{n}." for n in numbers) + "/")
    return "".join(key)


def seed_of(*, commitment_hex: str, key: str) -> bytes:
    return hashlib.sha256(f"{commitment_hex}\n{key}".encode()).digest()


# -------------------------------------------------------------------------------------------- shuffle
class Stream:
    """The SHA-256 counter stream of step 6, as 64-bit integers, with unbiased draws below m (step 7)."""

    def __init__(self, seed: bytes) -> None:
        self._seed = seed
        self._counter = 0
        self._buffer: list[int] = []
        self._blocks = 1  # hashed per refill: doubles up to 64, so a short draw hashes little and a long one batches

    def _refill(self) -> None:
        seed, start, blocks = self._seed, self._counter, self._blocks
        self._blocks = min(64, blocks * 2)
        chunk = b"".join(hashlib.sha256(seed + (start + i).to_bytes(8, "big")).digest() for i in range(blocks))
        self._counter += blocks
        # reversed so that pop() hands them out in stream order
        self._buffer = [int.from_bytes(chunk[k : k + 8], "big") for k in range(len(chunk) - 8, -8, -8)]

    def below(self, m: int) -> int:
        limit = 2**64 - (2**64 % m)
        while True:
            if not self._buffer:
                self._refill()
            x = self._buffer.pop()
            if x < limit:
                return x % m


def shuffle(items: Sequence[str], seed: bytes) -> list[str]:
    """Step 8: Fisher–Yates front to back; position i takes a uniform pick among positions i…n-1."""
    out = list(items)
    stream = Stream(seed)
    n = len(out)
    for i in range(n - 1):
        j = i + stream.below(n - i)
        out[i], out[j] = out[j], out[i]
    return out


# ----------------------------------------------------------------------------------------- the draw
@dataclass(frozen=True)
class Draw:
    """A drawn lottery: the four published files, byte for byte, and the figures in them."""

    files: dict[str, bytes]
    commitment: str
    seed_hex: str
    order: list[str]
    seats: int

    @property
    def admitted(self) -> list[str]:
        return self.order[: self.seats]


def prepare(applicants: Sequence[Applicant], *, seats: int) -> tuple[bytes, str, str]:
    """Before the draw: the canonical list, its hash and the commitment to publish."""
    if seats < 1:
        raise LotteryInputError("招生名额应为正整数")
    listing = applicants_csv(applicants)
    list_hash = sha256_hex(listing)
    return listing, list_hash, commitment(seats=seats, applicants_sha256=list_hash)


def draw(applicants: Sequence[Applicant], *, seats: int, public_input: str, title: str = "") -> Draw:
    """The whole procedure: from applicants, seats and the notary's public input to the four files."""
    listing, list_hash, commit = prepare(applicants, seats=seats)
    key = public_input_key(public_input)
    seed = seed_of(commitment_hex=commit, key=key)
    ordered_numbers = [a.application_no for a in sorted(applicants, key=lambda a: a.application_no)]
    order = shuffle(ordered_numbers, seed)
    result_lines = ["rank,application_no,outcome"] + [
        f"{rank},{no},{ADMITTED if rank <= seats else WAITLIST}" for rank, no in enumerate(order, start=1)
    ]
    result = ("\n".join(result_lines) + "\n").encode("utf-8")
    inputs = {
        "title": title,
        "procedure_version": PROCEDURE_VERSION,
        "procedure_sha256": PROCEDURE_SHA256,
        "seats": seats,
        "applicants_count": len(order),
        "applicants_sha256": list_hash,
        "commitment": commit,
        "public_input": public_input,
        "public_input_key": key,
        "seed": seed.hex(),
        "result_sha256": sha256_hex(result),
    }
    inputs_bytes = (json.dumps(inputs, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
    files = {APPLICANTS_FILE: listing, INPUTS_FILE: inputs_bytes, RESULT_FILE: result}
    files[SUMS_FILE] = "".join(f"{sha256_hex(files[name])}  {name}\n" for name in sorted(files)).encode("utf-8")
    return Draw(files=files, commitment=commit, seed_hex=seed.hex(), order=order, seats=seats)


def write(result: Draw, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, data in result.files.items():
        (out_dir / name).write_bytes(data)


def verify(directory: Path) -> list[str]:
    """Re-run a published draw from its own files; the list of differences in Chinese (empty: all bytes match)."""
    problems: list[str] = []
    missing = [name for name in FILES if not (directory / name).is_file()]
    if APPLICANTS_FILE in missing or INPUTS_FILE in missing:
        return [f"缺少文件：{name}" for name in missing]
    try:
        inputs = json.loads((directory / INPUTS_FILE).read_bytes().decode("utf-8"))
        seats, public_input = int(inputs["seats"]), str(inputs["public_input"])
        title = str(inputs.get("title", ""))
        version = inputs["procedure_version"]
    except (ValueError, KeyError, TypeError):
        return [f"{INPUTS_FILE} 无法读取或缺少字段（seats、public_input、procedure_version）"]
    if version != PROCEDURE_VERSION:
        return [f"程序版本 {version} 与本工具的 {PROCEDURE_VERSION} 不同，无法复核"]
    try:
        applicants = parse_applicants((directory / APPLICANTS_FILE).read_bytes())
        again = draw(applicants, seats=seats, public_input=public_input, title=title)
    except LotteryInputError as exc:
        return [f"无法按公布的数据重新抽签：{exc}"]
    problems += [f"缺少文件：{name}" for name in missing]
    for name in FILES:
        path = directory / name
        if name in missing:
            continue
        got = path.read_bytes()
        if got != again.files[name]:
            problems.append(f"{name} 与重新计算的结果不一致（{_first_difference(got, again.files[name])}）")
    return problems


def _first_difference(got: bytes, want: bytes) -> str:
    for line_no, (a, b) in enumerate(zip(got.split(b"\n"), want.split(b"\n"), strict=False), start=1):
        if a != b:
            return f"第{line_no}行起不同"
    return f"长度不同：{len(got)} 字节，应为 {len(want)} 字节"
