"""Knowledge tracing: beats chance on simulated learning, and never looks at the current or later answers."""

import numpy as np
import pytest

from zhijiao.learning.diagnosis import kt
from zhijiao.learning.diagnosis.metrics import auc
from zhijiao.learning.diagnosis.synthetic import simulate_kt

pytestmark = pytest.mark.slow  # fits the models on 150 simulated students (several seconds of CPU)


@pytest.fixture(scope="module")
def data():
    return simulate_kt(150, 30, 4, 50, seed=5)


def split(data, first_test_user):
    return data.subset(data.user < first_test_user), data.subset(data.user >= first_test_user)


@pytest.fixture(scope="module")
def fitted(data):
    train, _ = split(data, 120)
    return {name: kt.MODELS[name]().fit(train) for name in ("lr", "bkt")}


@pytest.mark.parametrize("name", ["lr", "bkt"])
def test_models_beat_chance(data, fitted, name):
    _, test = split(data, 120)
    prob = fitted[name].predict(test)
    assert auc(test.correct, prob) > 0.65


@pytest.mark.parametrize("name", ["lr", "bkt"])
def test_no_peeking_at_current_or_later_answers(data, fitted, name):
    """Flipping or shuffling a student's answers from row k on leaves the predictions of rows ≤ k unchanged."""
    _, test = split(data, 120)
    model = fitted[name]
    before = model.predict(test)
    rng = np.random.default_rng(0)
    user = test.user[0]
    rows = np.flatnonzero(test.user == user)
    k = rows[len(rows) // 2]
    changed = test.subset(np.ones(test.user.size, dtype=bool))
    changed.correct[rows[rows >= k]] = 1 - changed.correct[rows[rows >= k]]
    later = rows[rows > k]
    perm = rng.permutation(later)
    for arr in (changed.item, changed.skill, changed.timestamp, changed.correct):
        arr[later] = arr[perm]
    after = model.predict(changed)
    assert np.allclose(before[rows[rows <= k]], after[rows[rows <= k]])
    # other students are not affected at all
    others = test.user != user
    assert np.allclose(before[others], after[others])
    # and the model does use the earlier answers: flipping them changes later predictions
    flipped = test.subset(np.ones(test.user.size, dtype=bool))
    flipped.correct[rows[: len(rows) // 2]] = 1 - flipped.correct[rows[: len(rows) // 2]]
    assert not np.allclose(before[rows[len(rows) // 2 :]], model.predict(flipped)[rows[len(rows) // 2 :]])


def test_prior_strength_is_chosen_on_training_students(data):
    train, _ = split(data, 120)
    model = kt.FeatureLr().fit(train)
    assert model.chosen["l2"] in (0.5, 3.0)
