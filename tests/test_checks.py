import numpy as np
import pytest
import torch

from utils.checks import assert_close, assert_decreased, check_range, check_shape


def test_assert_close_passes_and_reports(capsys):
    diff = assert_close("same", torch.ones(3), np.ones(3) + 1e-9)
    assert diff < 1e-8
    assert "ok" in capsys.readouterr().out


def test_assert_close_names_the_tensor_and_index():
    expected = torch.zeros(2, 3)
    actual = expected.clone()
    actual[1, 2] = 0.5
    with pytest.raises(AssertionError, match=r"logits: 1 of 6 values differ.*0\.5.*\(1, 2\)"):
        assert_close("logits", actual, expected)


def test_assert_close_shape_and_nan():
    with pytest.raises(AssertionError, match="shapes differ"):
        assert_close("x", np.ones(3), np.ones(4))
    with pytest.raises(AssertionError):
        assert_close("x", np.array([np.nan]), np.array([0.0]))
    with pytest.raises(TypeError, match="must be numbers"):
        assert_close("x", object(), [1.0])


def test_assert_decreased():
    assert_decreased("loss", [2.0, 1.0, 0.5], by=0.5)
    with pytest.raises(AssertionError, match="expected a decrease"):
        assert_decreased("loss", [1.0, 0.95], by=0.1)
    with pytest.raises(AssertionError, match="NaN"):
        assert_decreased("loss", [1.0, float("nan")])
    with pytest.raises(ValueError, match="at least two"):
        assert_decreased("loss", [1.0])


def test_check_shape_and_range():
    check_shape(np.zeros((2, 5)), (None, 5), "x")
    with pytest.raises(ValueError, match=r"must have shape \(any, 4\)"):
        check_shape(np.zeros((2, 5)), (None, 4), "x")
    with pytest.raises(TypeError, match="array or tensor"):
        check_shape([1, 2], (2,), "x")
    assert check_range(0.5, 0, 1, "p") == 0.5
    with pytest.raises(ValueError, match="between 0 and 1"):
        check_range(2, 0, 1, "p")
    with pytest.raises(TypeError):
        check_range("a", 0, 1, "p")
