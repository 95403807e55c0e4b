"""The GPU path: the course's models give the same results on a GPU as on the CPU.

Colab and lab servers may have a GPU; ``utils.get_device()`` then picks it (notebook 05 trains its
LSTM there) and every helper that takes a model follows the model's device. CI has no GPU, so these
tests skip there; they run wherever PyTorch sees one (``pytest tests/test_gpu.py``).

``COURSE_GPU_TESTS_ON=cpu`` runs them with the CPU standing in for the GPU: that only checks the
tests themselves (both sides are then the same device), never the GPU path.
"""

from __future__ import annotations

import os

import pytest
import torch

from utils.data import CharTokenizer
from utils.finetune import GPTClassifier
from utils.llama import Int8Linear, Llama, LlamaConfig
from utils.llama import generate as llama_generate
from utils.models import GPT, GPTConfig, generate
from utils.rnn import CharLSTM, sample_text
from utils.sampling import sample_next
from utils.train import Recipe, train

TEXT = "ROMEO:\nBut, soft! what light through yonder window breaks?\n\nJULIET:\nAy me!\n" * 4


@pytest.fixture
def gpu() -> str:
    stand_in = os.environ.get("COURSE_GPU_TESTS_ON", "").strip()
    if stand_in:
        return stand_in
    if not torch.cuda.is_available():
        pytest.skip("needs a GPU (set COURSE_GPU_TESTS_ON=cpu to check these tests on the CPU)")
    # Full float32 matrix products on both sides: TF32 would differ from the CPU by ~1e-3.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    return "cuda"


def _gpt(seed: int = 0) -> GPT:
    torch.manual_seed(seed)
    return GPT(GPTConfig(vocab_size=40, block_size=16, n_layer=2, n_head=2, n_embd=32)).eval()


def _twins(make, gpu):
    """The same model twice: on the CPU and on the GPU."""
    on_cpu = make()
    on_gpu = make().to(gpu)
    return on_cpu, on_gpu


def test_get_device_picks_the_gpu_and_the_switch_forces_the_cpu(gpu, monkeypatch):
    from utils.config import DEVICE_ENV_VAR, get_device

    if gpu == "cuda":
        monkeypatch.delenv(DEVICE_ENV_VAR, raising=False)
        assert get_device() == "cuda"
    monkeypatch.setenv(DEVICE_ENV_VAR, "cpu")
    assert get_device() == "cpu"


def test_a_cpu_generator_draws_the_same_tokens_for_gpu_logits(gpu):
    """A seeded CPU generator gives the same text on any device; the ids come back where the logits are."""
    logits = torch.randn(20, 9, generator=torch.Generator().manual_seed(6))
    on_cpu = sample_next(logits, 0.9, top_k=5, top_p=0.8, generator=torch.Generator().manual_seed(7))
    on_gpu = sample_next(logits.to(gpu), 0.9, top_k=5, top_p=0.8, generator=torch.Generator().manual_seed(7))
    assert on_gpu.device.type == torch.device(gpu).type and torch.equal(on_gpu.cpu(), on_cpu)
    greedy = sample_next(logits.to(gpu), 0.0)
    assert greedy.device.type == torch.device(gpu).type and torch.equal(greedy.cpu(), logits.argmax(-1, keepdim=True))


def test_gpt_logits_loss_and_generation_match_the_cpu(gpu):
    on_cpu, on_gpu = _twins(_gpt, gpu)
    idx = torch.randint(0, 40, (3, 16), generator=torch.Generator().manual_seed(1))
    logits_cpu, loss_cpu = on_cpu(idx, idx)
    logits_gpu, loss_gpu = on_gpu(idx.to(gpu), idx.to(gpu))
    assert torch.allclose(logits_gpu.cpu(), logits_cpu, atol=1e-4)
    assert abs(loss_gpu.item() - loss_cpu.item()) < 1e-4
    # Greedy generation with and without the KV cache, past the context (the cache restarts).
    prompt = idx[:, :5]
    for use_cache in (True, False):
        out_cpu = generate(on_cpu, prompt, 20, temperature=0, use_cache=use_cache)
        out_gpu = generate(on_gpu, prompt.to(gpu), 20, temperature=0, use_cache=use_cache)
        assert out_gpu.device.type == torch.device(gpu).type and torch.equal(out_gpu.cpu(), out_cpu)
    # Sampling with a seeded CPU generator: the same tokens on either device.
    sampled_cpu = generate(on_cpu, prompt, 12, temperature=1.0, top_k=10,
                           generator=torch.Generator().manual_seed(3))
    sampled_gpu = generate(on_gpu, prompt.to(gpu), 12, temperature=1.0, top_k=10,
                           generator=torch.Generator().manual_seed(3))
    assert torch.equal(sampled_gpu.cpu(), sampled_cpu)


def _pattern() -> torch.Tensor:
    """A token stream with something to learn: 0, 1, ..., 36 over and over."""
    return torch.arange(2000) % 37


def test_training_on_the_gpu_follows_the_cpu_run(gpu):
    """utils.train.train moves each batch to the model's device: the same losses, step by step."""
    data = _pattern()
    recipe = Recipe(steps=30, batch_size=8, lr=3e-3, min_lr=3e-4, warmup_steps=5)
    on_cpu, on_gpu = _twins(_gpt, gpu)
    losses_cpu = train(on_cpu, data, recipe, seed=0, progress=False)
    losses_gpu = train(on_gpu, data, recipe, seed=0, progress=False)
    assert next(on_gpu.parameters()).device.type == torch.device(gpu).type
    assert max(abs(a - b) for a, b in zip(losses_cpu, losses_gpu)) < 1e-3
    assert losses_gpu[-1] < losses_gpu[0]


def test_bfloat16_autocast_trains_on_the_gpu(gpu):
    data = _pattern()
    model = _gpt().to(gpu)
    losses = train(model, data, Recipe(steps=40, batch_size=8, lr=3e-3, min_lr=3e-4, warmup_steps=5),
                   progress=False, autocast_dtype=torch.bfloat16)
    assert losses[-1] < losses[0] - 0.1 and all(map(torch.isfinite, torch.tensor(losses)))


def test_classifier_pooling_on_the_gpu_equals_the_cpu(gpu):
    def make():
        torch.manual_seed(0)
        return GPTClassifier(_gpt(), n_classes=3).eval()

    on_cpu, on_gpu = _twins(make, gpu)
    ids = torch.randint(0, 40, (4, 16), generator=torch.Generator().manual_seed(4))
    lengths = torch.tensor([16, 3, 9, 1])
    with torch.no_grad():
        assert torch.allclose(on_gpu(ids.to(gpu), lengths.to(gpu)).cpu(), on_cpu(ids, lengths), atol=1e-4)


def _llama() -> Llama:
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=64, dim=32, n_layers=2, n_heads=4, n_kv_heads=2, hidden_dim=64,
                         max_seq_len=64)
    return Llama(config).eval()


def test_llama_kv_cache_generation_on_the_gpu_equals_the_cpu(gpu):
    on_cpu, on_gpu = _twins(_llama, gpu)
    tokens = torch.randint(0, 64, (1, 12), generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        assert torch.allclose(on_gpu(tokens.to(gpu)).cpu(), on_cpu(tokens), atol=1e-4)
    prompt = tokens[0].tolist()
    assert list(llama_generate(on_gpu, prompt, 20)) == list(llama_generate(on_cpu, prompt, 20))
    sampled = [list(llama_generate(model, prompt, 20, temperature=1.0, top_k=8, seed=3))
               for model in (on_cpu, on_gpu)]
    assert sampled[0] == sampled[1]


def test_int8_linear_on_the_gpu_equals_its_dequantized_weights(gpu):
    weight = torch.randn(24, 32, generator=torch.Generator().manual_seed(6))
    layer = Int8Linear(weight).to(gpu)
    x = torch.randn(5, 32, generator=torch.Generator().manual_seed(7)).to(gpu)
    expected = x @ layer.dequantized().T
    if gpu == "cpu":  # the stand-in runs the CPU's bfloat16 int8 kernel: about 3 significant digits
        assert torch.allclose(layer(x), expected, rtol=2e-2, atol=5e-2)
    else:  # the GPU multiplies by the dequantized weights in float32
        assert torch.allclose(layer(x), expected, atol=1e-4)


def test_char_lstm_trains_and_samples_on_the_gpu_as_notebook_05_does(gpu):
    tokenizer = CharTokenizer(TEXT)

    def make():
        torch.manual_seed(0)
        return CharLSTM(tokenizer.vocab_size, embed_dim=8, hidden_size=16)

    on_cpu, on_gpu = _twins(make, gpu)
    ids = torch.tensor([tokenizer.encode(TEXT[:60])])
    for model, device in ((on_cpu, "cpu"), (on_gpu, gpu)):
        optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
        for _ in range(5):
            logits = model(ids[:, :-1].to(device))
            loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), ids[:, 1:].flatten().to(device))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    for a, b in zip(on_cpu.parameters(), on_gpu.parameters()):
        assert torch.allclose(a, b.cpu(), atol=1e-4)
    assert sample_text(on_gpu, tokenizer, "ROMEO:", 40, 0.8, seed=1) == sample_text(on_cpu, tokenizer, "ROMEO:", 40,
                                                                                     0.8, seed=1)


@pytest.mark.widgets
def test_notebook_05_views_draw_a_model_that_lives_on_the_gpu(gpu):
    from utils.widgets import HiddenStateView, TemperatureSampler
    from utils.widgets.rnn import hidden_states

    tokenizer = CharTokenizer(TEXT)
    torch.manual_seed(0)
    model = CharLSTM(tokenizer.vocab_size, embed_dim=8, hidden_size=16).to(gpu)
    heatmap = HiddenStateView(model, tokenizer, text="ROMEO:", units=16)
    assert heatmap.states.shape[1] == len("ROMEO:")
    expected = hidden_states(model.cpu(), tokenizer, "ROMEO:", units=16)
    model.to(gpu)
    assert torch.allclose(torch.as_tensor(heatmap.states), torch.as_tensor(expected)[heatmap.unit_order], atol=1e-5)
    sampler = TemperatureSampler(model, tokenizer, length=30)
    sampler.temperature.value = 1.2
    assert len(sampler.generated) == 30 and sampler.next_char_probs().device.type == "cpu"
