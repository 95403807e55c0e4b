import numpy as np
import pytest

from utils.perceptron import gate_data, perceptron_output, perceptron_update, step


def test_gates_and_step():
    x, t = gate_data("and")
    assert x.shape == (4, 2) and t.tolist() == [0, 0, 0, 1]
    assert step(np.array([-0.1, 0.0, 2.0])).tolist() == [0, 1, 1]
    with pytest.raises(ValueError, match="unknown gate 'NOR'"):
        gate_data("NOR")


def test_output_validates_shapes():
    x, _ = gate_data("AND")
    assert perceptron_output(np.array([1.0, 1.0]), -1.5, x).tolist() == [0, 0, 0, 1]
    with pytest.raises(ValueError, match=r"inputs must have shape \(points, 3\)"):
        perceptron_output(np.ones(3), 0.0, x)


def test_update_rule_and_explanation():
    u = perceptron_update(np.array([0.0, 0.0]), 0.0, np.array([0.0, 0.0]), 0, learning_rate=0.5)
    assert (u.z, u.output, u.error) == (0.0, 1, -1)
    assert u.weights_after.tolist() == [0.0, 0.0] and u.bias_after == -0.5
    assert "b  ← 0.00 + 0.5·(-1) = -0.50" in u.explain()
    ok = perceptron_update(np.array([1.0, 1.0]), -1.5, np.array([1.0, 1.0]), 1)
    assert ok.error == 0 and "weights stay" in ok.explain()
    with pytest.raises(ValueError, match="target must be 0 or 1"):
        perceptron_update(np.zeros(2), 0.0, np.zeros(2), 2)
    with pytest.raises(ValueError, match="learning_rate"):
        perceptron_update(np.zeros(2), 0.0, np.zeros(2), 1, learning_rate=0)


def test_rule_learns_and_or_but_not_xor():
    for gate, learnable in (("AND", True), ("OR", True), ("XOR", False)):
        x, t = gate_data(gate)
        w, b = np.zeros(2), 0.0
        for _ in range(50):
            for xi, ti in zip(x, t):
                u = perceptron_update(w, b, xi, int(ti))
                w, b = u.weights_after, u.bias_after
        assert (perceptron_output(w, b, x) == t).all() == learnable, gate
