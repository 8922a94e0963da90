"""Simulated exams with known truth, their recovery by the diagnosis model, and which answers moved it."""

import numpy as np
import pytest

from zhijiao.learning.diagnosis import cdm, explain, simulate


def test_simulation_is_seeded_and_keeps_the_truth():
    a = simulate.simulate_exam(200, 12, 4, seed=5, points=np.array([1] * 10 + [4, 6]))
    b = simulate.simulate_exam(200, 12, 4, seed=5, points=np.array([1] * 10 + [4, 6]))
    assert np.array_equal(a.scores, b.scores) and np.array_equal(a.mastery, b.mastery)
    assert a.q.sum(axis=0).min() >= 2  # every knowledge point measured at least twice
    assert np.all(a.scores <= a.points[None, :]) and a.scores[:, -1].max() > 1  # partial points on a 6-point item
    resp = a.responses()
    assert resp.score.min() >= 0 and resp.score.max() <= 1 and resp.user.size == 200 * 12


def test_dina_answers_follow_slip_and_guess():
    rng = np.random.default_rng(0)
    q = np.array([[1, 0], [1, 1]])
    mastery = np.array([[1, 1]] * 2000 + [[1, 0]] * 2000)
    scores = simulate.answer(mastery, q, rng, slip=np.array([0.1, 0.1]), guess=np.array([0.2, 0.2]))
    assert scores[:2000, 1].mean() == pytest.approx(0.9, abs=0.03)  # mastered both: 1 − slip
    assert scores[2000:, 1].mean() == pytest.approx(0.2, abs=0.03)  # lacks one the item needs: guess
    assert scores[2000:, 0].mean() == pytest.approx(0.9, abs=0.03)


@pytest.fixture(scope="module")
def fitted():
    exam = simulate.simulate_exam(600, 16, 4, seed=11)
    data = exam.responses()
    return exam, data, cdm.HybridDina().fit(data, exam.q)


@pytest.mark.slow
def test_mastery_is_recovered_per_knowledge_point(fitted):
    exam, data, model = fitted
    estimate, _ = model.mastery()
    rows = simulate.recovery(exam.mastery, estimate)
    assert len(rows) == 4
    assert all(r["corr"] > 0.5 and r["accuracy"] > 0.75 for r in rows)
    # scoring the students again with the fitted items gives what the fit gave them (the fit's posterior is from
    # its last E step, one M step before the final item parameters: equal to about 1e-3)
    again, _ = model.score(data, chunk=128)
    assert np.allclose(again, estimate, atol=0.01)
    assert np.allclose(again, model.score(data, chunk=10_000)[0])


@pytest.mark.slow
def test_contributions_are_exact_leave_one_out(fitted):
    _, data, model = fitted
    user = 7
    rows, mastery, delta = explain.answer_contributions(model, data, user)
    assert np.allclose(mastery, model.score(data)[0][user])
    for j in (0, 5):  # diagnose the student again without answer j
        keep = np.ones(data.user.size, dtype=bool)
        keep[rows[j]] = False
        without, _ = model.score(data.subset(keep))
        assert np.allclose(delta[j], mastery - without[user], atol=1e-9)


@pytest.mark.slow
def test_the_answers_that_moved_a_point_are_shown(fitted):
    exam, data, model = fitted
    moved_by_own_items = 0
    total = 0
    for user in range(40):
        for k, influences in explain.explain_mastery(model, data, user, top=1).items():
            top = influences[0]
            total += 1
            moved_by_own_items += exam.q[top.item, k]
            # a right answer never lowers the mastery of a point the item measures, a wrong one never raises it
            if exam.q[top.item, k] and model.d[top.item] > 0:
                assert (top.delta >= -1e-9) if top.score >= 0.5 else (top.delta <= 1e-9)
    # mostly, the answer that moved a point most is to an item measuring that point
    assert moved_by_own_items / total > 0.8


def test_homework_learning_moves_the_truth_and_answers_follow_it():
    hw = simulate.simulate_homework(300, 30, 5, assignments=10, seed=3)
    assert hw.end.sum() > hw.start.sum()  # practice taught something
    assert np.all(hw.end >= hw.start)  # and nothing was forgotten
    # answers given while mastering every point the item needs are right far more often
    assert hw.correct[hw.mastered_before == 1].mean() > 0.8 > 0.3 > hw.correct[hw.mastered_before == 0].mean()
    # each student's answers are consecutive and in time order
    assert np.all(np.diff(hw.user) >= 0)
    same = hw.user[1:] == hw.user[:-1]
    assert np.all(np.diff(hw.day)[same] >= 0)
