"""Re-run a published Zhijiao lottery (procedure zhijiao-lottery-1) with the standard library only.
Usage: python3 lottery_verify_standalone.py DIR   (DIR holds applicants.csv and inputs.json)"""

# ruff: noqa: E401, E701, I001
# fmt: off
import hashlib, json, re, sys
from pathlib import Path

d = Path(sys.argv[1])
listing = (d / "applicants.csv").read_bytes()
inputs = json.loads((d / "inputs.json").read_text("utf-8"))
seats, sha = inputs["seats"], lambda b: hashlib.sha256(b).hexdigest()
numbers = [line.split(",")[0] for line in listing.decode().splitlines()[1:]]
text = f"zhijiao-lottery-1\n{inputs['procedure_sha256']}\n{seats}\n{sha(listing)}\n"
commit = sha(text.encode())
key = ""
for src in [s for s in inputs["public_input"].replace("／", "/").split("/") if s.strip()]:
    nums = [int(n) for n in re.findall(r"\d+", src)]
    key += "".join(f"{n}." for n in (sorted(nums) if "{" in src else nums)) + "/"
seed = hashlib.sha256(f"{commit}\n{key}".encode()).digest()
ints = (int.from_bytes(hashlib.sha256(seed + i.to_bytes(8, "big")).digest()[k:k + 8], "big")
        for i in range(2**63) for k in range(0, 32, 8))
def below(m):
    while (x := next(ints)) >= 2**64 - 2**64 % m: pass
    return x % m
for i in range(len(numbers) - 1):
    j = i + below(len(numbers) - i)
    numbers[i], numbers[j] = numbers[j], numbers[i]
rows = [f"{r},{n},{'admitted' if r <= seats else 'waitlist'}" for r, n in enumerate(numbers, 1)]
result = ("\n".join(["rank,application_no,outcome", *rows]) + "\n").encode()
same = (d / "result.csv").read_bytes() == result and commit == inputs["commitment"]
print(f"commitment {commit}\nresult.csv sha256 {sha(result)}\n{'一致 MATCH' if same else '不一致 DIFFERENT'}")
sys.exit(0 if same else 1)
