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


# -- added after the mutation run of 2026-11-26 (issue 25) --
from utils.checks import check_token_ids  # noqa: E402


def test_assert_close_message_shows_both_values_and_the_tolerances():
    with pytest.raises(AssertionError, match=r"^y: 1 of 2 values differ; largest \|diff\| 0\.25 at index \(1,\) "
                                             r"\(got (np\.float64\()?0\.5\)?, expected (np\.float64\()?0\.25\)?; atol=0\.001, rtol=0\.0\)\.$"):
        assert_close("y", [0.0, 0.5], [0.0, 0.25], atol=1e-3, rtol=0.0, verbose=False)
    with pytest.raises(AssertionError, match=r"^x: shapes differ, got \(3,\) but expected \(4,\)\.$"):
        assert_close("x", np.ones(3), np.ones(4))


def test_assert_close_infinities_equal_only_the_same_infinity():
    inf = float("inf")
    assert assert_close("same infs", [inf, -inf, 1.0], [inf, -inf, 1.0], verbose=False) == 0.0
    for actual, expected in (([inf], [1.0]), ([1.0], [inf]), ([inf], [-inf])):
        with pytest.raises(AssertionError, match=r"largest \|diff\| inf"):
            assert_close("x", actual, expected, verbose=False)


def test_assert_close_reports_a_nan_mismatch_as_an_infinite_difference():
    with pytest.raises(AssertionError, match=r"largest \|diff\| inf at index \(1,\) \(got (np\.float64\()?nan"):
        assert_close("x", [0.0, np.nan], [0.0, 1.0], verbose=False)


def test_assert_decreased_messages_name_the_series_and_its_values():
    with pytest.raises(ValueError, match=r"^loss: need at least two values to see a decrease, got 1\.$"):
        assert_decreased("loss", [1.0])
    with pytest.raises(AssertionError, match=r"^loss: became NaN or infinite \(inf\)"):
        assert_decreased("loss", [1.0, float("inf")])
    with pytest.raises(AssertionError, match=r"^loss: expected a decrease of more than 10%, went 1 -> 0\.95\.$"):
        assert_decreased("loss", [1.0, 0.95], by=0.1)


def test_check_range_bounds_are_inclusive_and_errors_say_what_to_fix():
    assert check_range(0, 0, 1, "p") == 0.0 and check_range(1, 0, 1, "p") == 1.0
    assert check_range(np.float32(0.25), 0, 1, "p") == 0.25
    with pytest.raises(ValueError, match=r"^p must be between 0 and 1, got 2\.$"):
        check_range(2, 0, 1, "p")
    with pytest.raises(TypeError, match=r"^p must be a number between 0 and 1, got str\.$"):
        check_range("0.5", 0, 1, "p")
    with pytest.raises(TypeError, match=r"^p must be a number between 0 and 1, got bool\.$"):
        check_range(True, 0, 1, "p")  # True is an int to Python, not a probability


def test_check_shape_says_which_shape_it_got():
    with pytest.raises(ValueError, match=r"^x must have shape \(any, 4\), got \(2, 5\)\.$"):
        check_shape(np.zeros((2, 5)), (None, 4), "x")


def test_check_token_ids_accepts_every_kind_of_1d_integer_sequence():
    assert check_token_ids([0, 9], 10) == [0, 9]
    assert check_token_ids((3, 4), 10) == [3, 4] and check_token_ids(range(3), 10) == [0, 1, 2]
    out = check_token_ids(torch.tensor([1, 2, 3]), 10)
    assert out == [1, 2, 3] and all(type(v) is int for v in out)
    assert check_token_ids(np.array([4, 5], dtype=np.int32), 10) == [4, 5]
    assert check_token_ids(torch.tensor(7), 10) == [7]  # one id as a 0-D tensor, e.g. logits.argmax()
    out = check_token_ids([torch.tensor(1), np.int64(2), 3], 10)  # e.g. [t.argmax() for t in ...]
    assert out == [1, 2, 3] and all(type(v) is int for v in out)
    assert check_token_ids([], 10) == []


def test_check_token_ids_vocabulary_boundary():
    assert check_token_ids([9], 10) == [9]
    with pytest.raises(ValueError, match=r"^ids\[1\] = 10 is outside the vocabulary \(0\.\.9\)\.$"):
        check_token_ids([9, 10], 10)
    with pytest.raises(ValueError, match=r"^ids\[0\] = -1 is outside the vocabulary \(0\.\.9\)\.$"):
        check_token_ids([-1], 10)


def test_check_token_ids_refuses_text_batches_and_non_integers_saying_what_to_fix():
    with pytest.raises(TypeError, match=r"^ids must be a list of token ids \(integers\), got the text '01'; "
                                        r"to turn text into ids use encode\(\)\.$"):
        check_token_ids("01", 10)
    with pytest.raises(TypeError, match=r"got the text '" + "a" * 40 + "';"):  # long text cut to 40 characters
        check_token_ids("a" * 100, 10)
    with pytest.raises(ValueError, match=r"^ids must be one sequence \(1-D\), got shape \(2, 3\); decode one row "
                                         r"at a time, e.g. decode\(ids\[0\]\)\.$"):
        check_token_ids(torch.zeros(2, 3, dtype=torch.long), 10)
    with pytest.raises(TypeError, match=r"^ids must be a list of token ids \(integers\), got int\.$"):
        check_token_ids(5, 10)
    with pytest.raises(TypeError, match=r"^ids\[1\] must be an integer token id, got 1\.7 \(float\); token ids are "
                                        r"whole numbers from 0 to 9\.$"):
        check_token_ids([1, 1.7], 10)
    with pytest.raises(TypeError, match=r"^ids\[0\] must be an integer token id, got True \(bool\)"):
        check_token_ids([True], 10)
    with pytest.raises(TypeError, match=r"^ids\[0\] must be an integer token id, got tensor\(\[3\]\)"):
        check_token_ids([torch.tensor([3])], 10)  # a list of 1-D tensors is a batch, not ids
    with pytest.raises(TypeError, match=r"^prompt\[0\] must be"):
        check_token_ids([0.5], 10, name="prompt")


@pytest.mark.parametrize("dtype", [torch.float32, torch.bool, torch.complex64])
def test_check_token_ids_refuses_a_tensor_that_is_not_integers_by_its_dtype(dtype):
    with pytest.raises(TypeError, match=rf"^ids must hold integer token ids, got dtype {dtype}; "
                                        r"use \.long\(\) or \.argmax\(-1\)\.$"):
        check_token_ids(torch.ones(3, dtype=dtype), 10)
