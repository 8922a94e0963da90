"""``zhijiao learning evaluate``: the JSON contract on tiny fixtures copied into the repository."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

DATA = Path(__file__).parent / "data"
KEYS = {"model", "auc", "acc", "rmse", "fit_seconds", "n_train", "n_test"}


def run(*args):
    out = StringIO()
    call_command("learning", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("model", ["hybrid", "dina", "irt"])
def test_evaluate_cdm_json(model):
    out = run(
        "evaluate", "cdm", "--train", str(DATA / "cdm_train.csv"), "--test", str(DATA / "cdm_test.csv"),
        "--q", str(DATA / "q.txt"), "--model", model, "--json",
    )  # fmt: skip
    result = json.loads(out)
    assert set(result) == KEYS
    assert result["model"] == model
    assert result["n_train"] == 480 and result["n_test"] == 120
    assert 0.5 < result["auc"] <= 1 and 0 < result["acc"] <= 1 and 0 < result["rmse"] < 0.6


def test_evaluate_cdm_is_the_default_model():
    out = run("evaluate", "cdm", "--train", str(DATA / "cdm_train.csv"), "--test", str(DATA / "cdm_test.csv"),
              "--q", str(DATA / "q.txt"))  # fmt: skip
    assert out.startswith("模型 hybrid：AUC")


@pytest.mark.parametrize("model", ["lr", "lrgru", "bkt"])
def test_evaluate_kt_tsv_json(model):
    out = run("evaluate", "kt", "--train", str(DATA / "kt_train.tsv"), "--test", str(DATA / "kt_test.tsv"),
              "--model", model, "--json")  # fmt: skip
    result = json.loads(out)
    assert set(result) == KEYS
    assert result["n_train"] == 750 and result["n_test"] == 250
    assert result["auc"] > 0.5


def test_evaluate_kt_pykt_format_scores_all_but_each_sequences_first_answer():
    out = run("evaluate", "kt", "--train", str(DATA / "pykt_train.csv"), "--test", str(DATA / "pykt_test.csv"),
              "--format", "pykt", "--json")  # fmt: skip
    result = json.loads(out)
    assert result["n_train"] == 750
    assert result["n_test"] == 250 - 10  # 10 test students, the first answer of each is not scored
    assert result["auc"] > 0.5


def test_unusable_files_exit_2(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="缺少列") as exc:
        run("evaluate", "cdm", "--train", str(bad), "--test", str(bad), "--q", str(DATA / "q.txt"))
    assert exc.value.returncode == 2
    with pytest.raises(CommandError, match="文件不存在") as exc:
        run("evaluate", "kt", "--train", str(tmp_path / "none.tsv"), "--test", str(tmp_path / "none.tsv"))
    assert exc.value.returncode == 2


def test_diagnosis_package_has_no_django():
    package = Path(__file__).parents[1] / "diagnosis"
    for path in package.glob("*.py"):
        assert "django" not in path.read_text(encoding="utf-8"), path.name


def test_evaluate_kt_pykt_file_without_folds_validates_on_a_random_fifth(tmp_path):
    # a pyKT-format training file with no fold column: every student would be "fold 0"
    rows = (DATA / "pykt_train.csv").read_text(encoding="utf-8").splitlines()
    no_fold = tmp_path / "train.csv"
    no_fold.write_text("\n".join(r.split(",", 1)[1] for r in rows) + "\n", encoding="utf-8")
    assert no_fold.read_text(encoding="utf-8").startswith("uid,concepts,responses")
    out = run("evaluate", "kt", "--train", str(no_fold), "--test", str(DATA / "pykt_test.csv"),
              "--format", "pykt", "--json")  # fmt: skip
    result = json.loads(out)
    assert result["n_train"] == 750 and result["auc"] > 0.5
