"""Knowledge tracing: beats chance on simulated learning, and never looks at the current or later answers."""

import numpy as np
import pytest

from zhijiao.learning.diagnosis import gru, kt
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
    models = {name: kt.MODELS[name]().fit(train) for name in ("lr", "bkt")}
    models["gru"] = gru.GruKt(epochs=6, hidden=16).fit(train)
    models["lrgru"] = gru.LrGru(hidden=16).fit(train)
    return models


@pytest.mark.parametrize("name", ["lr", "bkt", "gru", "lrgru"])
def test_models_beat_chance(data, fitted, name):
    _, test = split(data, 120)
    prob = fitted[name].predict(test)
    assert auc(test.correct, prob) > 0.65


@pytest.mark.parametrize("name", ["lr", "bkt", "gru", "lrgru"])
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


def test_ensemble_weights_are_fitted_on_held_out_students(data, fitted):
    model = fitted["lrgru"]
    # the blend was fitted on the regression's held-out students, predicted by models trained without them
    assert model.lr_model.held.any() and not model.lr_model.held.all()
    assert set(model.chosen) == {"l2", "w_lr", "w_gru"}
    assert model.chosen["w_lr"] > 0


def test_gru_gradient_matches_finite_differences():
    data = simulate_kt(5, 10, 3, 9, seed=2)
    model = gru.GruKt(hidden=4)
    model._init(data.n_skills)
    model.p = {k: v.astype(np.float64) for k, v in model.p.items()}
    bt = gru.batches(data, 200, 8)
    args = (bt.tokens[0], bt.skills[0], bt.target[0].astype(np.float64), bt.mask[0].astype(np.float64))
    _, grad = model.grads(*args)
    rng = np.random.default_rng(0)
    for name, param in model.p.items():
        for flat in rng.choice(param.size, size=min(6, param.size), replace=False):
            i = np.unravel_index(flat, param.shape)
            old = param[i]
            param[i] = old + 1e-6
            up, _ = model.grads(*args)
            param[i] = old - 1e-6
            down, _ = model.grads(*args)
            param[i] = old
            assert grad[name][i] == pytest.approx((up - down) / 2e-6, rel=1e-4, abs=1e-8), name


def test_groups_keep_file_order_and_survive_huge_ids():
    user = np.array([5, 3, 5, 3, 5])
    skill = np.array([1, 1, 1, 2, 1])
    g = kt._groups(user, skill)
    assert list(g.prev) == [-1, -1, 0, -1, 2] and list(g.rank) == [0, 0, 1, 0, 2]
    huge = kt._groups(user * 10**12, skill * 10**12)  # the mixed-radix key would overflow int64
    assert list(huge.prev) == list(g.prev) and list(huge.rank) == list(g.rank)
