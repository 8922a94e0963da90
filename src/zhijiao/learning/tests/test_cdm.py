"""Cognitive diagnosis on simulated DINA data with known truth: beat chance clearly, recover mastery."""

import numpy as np
import pytest

from zhijiao.learning.diagnosis import cdm
from zhijiao.learning.diagnosis.metrics import auc
from zhijiao.learning.diagnosis.synthetic import simulate_cdm, split_table

pytestmark = pytest.mark.slow  # fits the models on 300 simulated students (several seconds of CPU)


@pytest.fixture(scope="module")
def truth():
    return simulate_cdm(300, 15, 4, seed=3)


@pytest.fixture(scope="module")
def hybrid(truth):
    train, _ = split_table(truth.table, seed=3)
    return cdm.HybridDina().fit(train, truth.q)


@pytest.mark.parametrize("name", ["hybrid", "dina", "irt"])
def test_models_predict_held_out_answers(truth, hybrid, name):
    train, test = split_table(truth.table, seed=3)
    model = hybrid if name == "hybrid" else cdm.MODELS[name]().fit(train, truth.q)
    prob = model.predict(test.user, test.item)
    assert prob.shape == test.score.shape
    assert np.all((prob > 0) & (prob < 1))
    assert auc(test.score >= 0.5, prob) > 0.75


def test_hybrid_recovers_mastery_with_uncertainty(truth, hybrid):
    mastery, sd = hybrid.mastery()
    assert mastery.shape == sd.shape == truth.mastery.shape
    assert np.all((sd >= 0) & (sd <= 0.5))
    corr = np.corrcoef(mastery.ravel(), truth.mastery.ravel())[0, 1]
    assert corr > 0.6
    # the reported uncertainty means something: confident estimates are right more often
    confident = sd < 0.2
    right = (mastery >= 0.5) == truth.mastery.astype(bool)
    assert right[confident].mean() > right[~confident].mean()


def test_unknown_student_gets_the_population_prediction(hybrid):
    prob = hybrid.predict(np.array([10**6, 10**6 + 1]), np.array([0, 0]))
    assert prob[0] == pytest.approx(prob[1])


def test_partial_scores_are_soft_targets():
    truth = simulate_cdm(150, 12, 3, seed=4)
    train, test = split_table(truth.table, seed=4)
    train.score = np.clip(train.score * 0.8 + 0.1, 0, 1)  # 0.1 / 0.9 partial credit
    prob = cdm.HybridDina().fit(train, truth.q).predict(test.user, test.item)
    assert auc(test.score >= 0.5, prob) > 0.75
