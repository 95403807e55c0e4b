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
    ({"temperature": 1.0, "top_p": math.nan}, "top_p"),
])
def test_bad_settings_say_what_to_fix(kwargs, match):
    with pytest.raises(ValueError, match=match):
        check_sampling(**kwargs)
    with pytest.raises(ValueError, match=match):
        next_token_probs(torch.zeros(1, 4), **kwargs)


def test_logits_must_be_batch_by_vocab():
    with pytest.raises(ValueError, match=r"logits\[None\]"):
        next_token_probs(torch.zeros(4))
