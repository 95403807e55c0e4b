"""utils.rnn: the character LSTM of notebook 05, its sampler and the bigram baseline."""

import math

import pytest
import torch

from utils.data import CharTokenizer
from utils.rnn import CharLSTM, bigram_loss, sample_text, uniform_loss
from utils.sampling import sample_next

TEXT = "ROMEO:\nBut, soft! what light through yonder window breaks?\n\nJULIET:\nAy me!\n"


@pytest.fixture
def tiny():
    torch.manual_seed(0)
    tok = CharTokenizer(TEXT)
    return CharLSTM(tok.vocab_size, embed_dim=8, hidden_size=16), tok


def test_forward_shapes_and_matches_a_manual_lstm(tiny):
    model, tok = tiny
    ids = torch.tensor([tok.encode("ROMEO:")])
    logits, hidden, (h, c) = model(ids, return_hidden=True)
    assert logits.shape == (1, 6, tok.vocab_size) and hidden.shape == (1, 6, 16)
    # Reference: the LSTM equations step by step with the model's own weights.
    lstm = model.lstm
    x = model.embedding(ids)[0]
    h_t, c_t = torch.zeros(16), torch.zeros(16)
    for t in range(6):
        gates = lstm.weight_ih_l0 @ x[t] + lstm.bias_ih_l0 + lstm.weight_hh_l0 @ h_t + lstm.bias_hh_l0
        i, f, g, o = gates.chunk(4)
        c_t = torch.sigmoid(f) * c_t + torch.sigmoid(i) * torch.tanh(g)
        h_t = torch.sigmoid(o) * torch.tanh(c_t)
    assert torch.allclose(hidden[0, -1], h_t, atol=1e-6) and torch.allclose(c[0, 0], c_t, atol=1e-6)
    assert torch.allclose(logits[0, -1], model.head(h_t), atol=1e-6)


def test_state_continues_a_sequence(tiny):
    model, tok = tiny
    ids = torch.tensor([tok.encode("ROMEO:\nBut")])
    whole = model(ids)
    _, _, state = model(ids[:, :4], return_hidden=True)
    assert torch.allclose(model(ids[:, 4:], state)[:, -1], whole[:, -1], atol=1e-6)


def test_bad_input_is_explained(tiny):
    model, tok = tiny
    with pytest.raises(ValueError, match=r"\(batch, time\)"):
        model(torch.tensor(tok.encode("ROMEO")))
    with pytest.raises(ValueError, match="token ids must be in"):
        model(torch.tensor([[999]]))
    with pytest.raises(ValueError, match="hidden_size"):
        CharLSTM(10, hidden_size=0)


def test_sampling_is_deterministic_and_temperature_matters(tiny):
    model, tok = tiny
    a = sample_text(model, tok, "ROMEO:\n", 50, temperature=1.0, seed=3)
    assert len(a) == 50 and a == sample_text(model, tok, "ROMEO:\n", 50, temperature=1.0, seed=3)
    assert set(a) <= set(tok.chars)
    cold = sample_text(model, tok, "ROMEO:\n", 80, temperature=0.01, seed=1)
    hot = sample_text(model, tok, "ROMEO:\n", 80, temperature=5.0, seed=1)
    assert len(set(cold)) < len(set(hot))
    assert model.training  # sampling leaves the mode as it found it
    with pytest.raises(ValueError, match="prompt"):
        sample_text(model, tok, "", 10)
    with pytest.raises(ValueError, match="temperature"):
        sample_text(model, tok, "R", 10, temperature=-1)
    greedy = sample_text(model, tok, "ROMEO:\n", 30, temperature=0, seed=1)
    assert greedy == sample_text(model, tok, "ROMEO:\n", 30, temperature=0, seed=2), "temperature 0 is greedy"


@pytest.mark.parametrize("temperature", [0.0, 0.7])
def test_fused_sampling_path_equals_the_module_path(tiny, temperature):
    """sample_text's one-layer shortcut (the LSTM equations by hand) writes what the modules write."""
    model, tok = tiny
    assert model.lstm.num_layers == 1
    fast = sample_text(model, tok, "ROMEO:\n", 40, temperature=temperature, seed=5)
    generator, out = torch.Generator().manual_seed(5), []
    with torch.no_grad():
        logits, _, state = model(torch.tensor([tok.encode("ROMEO:\n")]), return_hidden=True)
        for _ in range(40):
            next_id = int(sample_next(logits[:, -1].float(), temperature, generator=generator))
            out.append(next_id)
            logits, _, state = model(torch.tensor([[next_id]]), state, return_hidden=True)
    assert fast == tok.decode(out)


def test_bigram_loss_against_counting_by_hand():
    train = torch.tensor([0, 1, 0, 1, 0, 2])
    val = torch.tensor([0, 1, 1])
    # Counts with +1 smoothing: from 0: to 1 twice, to 2 once -> p(1|0) = 3/6; from 1: to 0 twice -> p(1|1) = 1/5.
    expected = -(math.log(3 / 6) + math.log(1 / 5)) / 2
    assert bigram_loss(train, val, vocab_size=3) == pytest.approx(expected)
    assert uniform_loss(76) == pytest.approx(math.log(76))
    with pytest.raises(ValueError, match="1-D tensor"):
        bigram_loss(torch.tensor([1]), val, 3)


def test_fast_sampling_path_equals_the_module_path():
    torch.manual_seed(1)
    tok = CharTokenizer(TEXT)
    one = CharLSTM(tok.vocab_size, embed_dim=8, hidden_size=16, num_layers=1)
    two = CharLSTM(tok.vocab_size, embed_dim=8, hidden_size=16, num_layers=2)
    for model in (one, two):  # two layers take the module path
        assert len(sample_text(model, tok, "ROMEO:\n", 30, seed=0)) == 30
    # Reference for the one-layer fast path: the same sampling loop through the modules.
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        logits, _, state = one(torch.tensor([tok.encode("ROMEO:\n")]), return_hidden=True)
        expected = []
        for _ in range(30):
            next_id = int(torch.multinomial(torch.softmax(logits[0, -1], -1), 1, generator=generator))
            expected.append(next_id)
            logits, _, state = one(torch.tensor([[next_id]]), state, return_hidden=True)
    assert sample_text(one, tok, "ROMEO:\n", 30, temperature=1.0, seed=0) == tok.decode(expected)
