import numpy as np
import pytest

from zhijiao.learning.diagnosis.metrics import auc, summary


def test_auc_counts_ties_half():
    assert auc([0, 1], [0.2, 0.8]) == 1.0
    assert auc([0, 1], [0.8, 0.2]) == 0.0
    assert auc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) == 0.5
    assert auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)


def test_summary_labels_partial_scores_at_one_half():
    result = summary(np.array([0.0, 0.5, 1.0, 0.25]), np.array([0.1, 0.6, 0.9, 0.4]))
    assert result["auc"] == 1.0 and result["acc"] == 1.0
    assert result["rmse"] == pytest.approx(np.sqrt(np.mean([0.01, 0.01, 0.01, 0.0225])))
