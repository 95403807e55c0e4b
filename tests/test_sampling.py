import math

import pytest
import torch

from utils.sampling import check_sampling, next_token_probs, sample_next


def test_one_row_draws_like_a_plain_softmax_draw():
    """The (batch, vocab) sampler draws what a 1-D softmax + multinomial drew (same seed, same text)."""
    logits = torch.randn(200, 30, generator=torch.Generator().manual_seed(0))
    a, b = torch.Generator().manual_seed(1), torch.Generator().manual_seed(1)
    ours = [int(sample_next(row[None], 0.8, generator=a)) for row in logits]
    plain = [int(torch.multinomial(torch.softmax(row / 0.8, -1), 1, generator=b)) for row in logits]
    assert ours == plain


def test_greedy_draws_no_random_number():
    logits = torch.tensor([[0.1, 3.0, 0.2], [5.0, 0.0, 0.0]])
    generator = torch.Generator().manual_seed(0)
    state = generator.get_state()
    assert sample_next(logits, 0, generator=generator).tolist() == [[1], [0]]
    assert torch.equal(generator.get_state(), state)


def test_greedy_picks_where_next_token_probs_puts_the_mass_ties_and_half_precision_included():
    logits = torch.randn(64, 40, generator=torch.Generator().manual_seed(3))
    logits[:8, 5] = logits[:8, 9] = logits[:8].max() + 1  # ties: the first of them, as the bars show
    for rows in (logits, logits.bfloat16()):
        assert torch.equal(sample_next(rows, 0), next_token_probs(rows, 0).argmax(-1, keepdim=True))
    assert sample_next(logits[:8], 0).flatten().tolist() == [5] * 8
    with pytest.raises(ValueError, match="top_k"):  # greedy still checks the other settings
        sample_next(logits, 0, top_k=0)
    with pytest.raises(ValueError, match=r"logits must be \(batch, vocab\)"):
        sample_next(logits[0], 0)


def test_bars_show_what_is_sampled():
    logits = torch.randn(1, 50, generator=torch.Generator().manual_seed(2))
    probs = next_token_probs(logits, 1.0, top_k=5)
    draws = sample_next(logits.repeat(2000, 1), 1.0, top_k=5, generator=torch.Generator().manual_seed(0))
    counts = torch.bincount(draws.flatten(), minlength=50) / 2000
    assert set(torch.nonzero(counts).flatten().tolist()) <= set(torch.nonzero(probs[0]).flatten().tolist())
    assert torch.allclose(counts, probs[0], atol=0.04)


@pytest.mark.parametrize("kwargs, match", [
    ({"temperature": -0.5}, "temperature"), ({"temperature": math.nan}, "temperature"),
    ({"temperature": math.inf}, "temperature"), ({"temperature": "hot"}, "temperature"),
    ({"temperature": 1.0, "top_k": 0}, "top_k"), ({"temperature": 1.0, "top_k": -3}, "top_k"),
    ({"temperature": 1.0, "top_k": 2.5}, "top_k"), ({"temperature": 1.0, "top_k": True}, "top_k"),
    ({"temperature": 1.0, "top_p": 0.0}, "top_p"), ({"temperature": 1.0, "top_p": 1.5}, "top_p"),
    ({"temperature": 1.0, "top_p": math.nan}, "top_p"), ({"temperature": 1.0, "top_p": True}, "top_p"),
    ({"temperature": 1.0, "top_p": "0.9"}, "top_p"),
])
def test_bad_settings_say_what_to_fix(kwargs, match):
    with pytest.raises(ValueError, match=match):
        check_sampling(**kwargs)
    with pytest.raises(ValueError, match=match):
        next_token_probs(torch.zeros(1, 4), **kwargs)


def test_logits_must_be_batch_by_vocab():
    with pytest.raises(ValueError, match=r"logits\[None\]"):
        next_token_probs(torch.zeros(4))
    # The message shows what came instead: the shape of a tensor, the type of anything else.
    with pytest.raises(ValueError, match=r"got \(1, 2, 3\);"):
        next_token_probs(torch.zeros(1, 2, 3))
    with pytest.raises(ValueError, match=r"got list;"):
        next_token_probs([[0.0, 1.0]])


# --- added after the mutation run (docs/mutation-report.md): boundaries a learner relies on ----------
def test_top_p_stops_at_the_first_token_that_reaches_p_exactly():
    """Four equal logits: each token has probability exactly 1/4, so the mass of the two likeliest is
    exactly 0.5. "The smallest set reaching at least p" for p = 0.5 is those two, not three."""
    probs = next_token_probs(torch.zeros(1, 4), 1.0, top_p=0.5)[0]
    assert sorted(probs.tolist()) == [0.0, 0.0, 0.5, 0.5]
    assert next_token_probs(torch.zeros(1, 4), 1.0, top_p=0.25)[0].count_nonzero() == 1
    # p = 1 is allowed and keeps every token; just above 1/2 needs a third token.
    assert torch.equal(next_token_probs(torch.zeros(1, 4), 1.0, top_p=1), torch.full((1, 4), 0.25))
    # Even a token whose probability is lost in rounding (the rest already sums to 1.0 in float32).
    assert next_token_probs(torch.tensor([[0.0, -30.0]]), 1.0, top_p=1)[0, 1] > 0
    assert next_token_probs(torch.zeros(1, 4), 1.0, top_p=0.5001)[0].count_nonzero() == 3


@pytest.mark.parametrize("settings", [
    {"temperature": 1.0}, {"temperature": 0.7, "top_k": 3}, {"temperature": 1.3, "top_p": 0.6},
    {"temperature": 2.0, "top_k": 4, "top_p": 0.8}, {"temperature": 0},
])
def test_each_row_is_a_distribution_over_the_vocabulary(settings):
    """What the next-token view draws as bars: per row non-negative, summing to 1, same shape as the
    logits, whatever the batch size (3 rows of 6 tokens, each row its own distribution)."""
    logits = torch.randn(3, 6, generator=torch.Generator().manual_seed(3)) * 2
    probs = next_token_probs(logits, **settings)
    assert probs.shape == (3, 6) and probs.dtype == torch.float32 and bool((probs >= 0).all())
    assert torch.allclose(probs.sum(-1), torch.ones(3), atol=1e-6)
    for row in range(3):  # a row alone gives the same distribution as inside the batch
        assert torch.allclose(next_token_probs(logits[row:row + 1], **settings)[0], probs[row], atol=1e-6)


def test_logits_of_any_number_type_work():
    """Integer or float64 logits (a hand-written tensor) give float32 probabilities, the same as floats."""
    ints = torch.tensor([[1, 3, 2]])
    for logits in (ints, ints.double()):
        assert torch.allclose(next_token_probs(logits, 1.0), torch.softmax(ints.float(), -1))
        assert next_token_probs(logits, 1.0).dtype == torch.float32


def test_one_draw_per_row_on_the_logits_device():
    logits = torch.tensor([[0.0, 9.0, 0.0], [9.0, 0.0, 0.0], [0.0, 0.0, 9.0]])
    ids = sample_next(logits * 3, 1.0)  # no generator: the global one
    assert ids.shape == (3, 1) and ids.device == logits.device and ids.flatten().tolist() == [1, 0, 2]


def test_the_default_temperature_is_one():
    logits = torch.randn(50, 6, generator=torch.Generator().manual_seed(4))
    default = sample_next(logits, generator=torch.Generator().manual_seed(5))
    assert torch.equal(default, sample_next(logits, 1.0, generator=torch.Generator().manual_seed(5)))
    assert torch.equal(next_token_probs(logits), torch.softmax(logits, -1))


# The same draw for logits on a GPU: tests/test_gpu.py::test_a_cpu_generator_draws_the_same_tokens_for_gpu_logits.


@pytest.mark.parametrize("kwargs, value", [
    ({"temperature": -0.5}, "-0.5"), ({"temperature": 1.0, "top_k": 0}, "0"),
    ({"temperature": 1.0, "top_p": 1.5}, "1.5"),
])
def test_the_message_leads_with_the_setting_and_shows_the_value(kwargs, value):
    name = list(kwargs)[-1]
    with pytest.raises(ValueError) as caught:
        check_sampling(**kwargs)
    assert str(caught.value).startswith(f"{name} must be") and str(caught.value).endswith(f"got {value}.")
