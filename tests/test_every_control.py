"""Every control of every view changes what the learner sees (issue 25).

One generic walk: build a view in a state where each control matters (sampling mode for the
next-token view, so its top-p slider counts), then for every slider, dropdown, checkbox and text
box in its widget tree set another value and check the picture (the PNG, or the HTML a view
shows) changed. It catches a control that edits the state without a redraw, or that is wired to
the wrong field, in any view, including ones added later (add a factory to ``VIEWS``).

Run twice by the test command: on ipywidgets 8 and on Colab's 7.7.1.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import pytest
import torch

pytestmark = pytest.mark.widgets

# Widgets that show things rather than set them.
DISPLAYS = (widgets.Image, widgets.HTML, widgets.Label, widgets.Output)
if hasattr(widgets, "HTMLMath"):
    DISPLAYS = (*DISPLAYS, widgets.HTMLMath)


def walk(widget) -> list:
    """Every widget in a view's tree, depth first."""
    found = [widget]
    for child in getattr(widget, "children", ()):
        found += walk(child)
    return found


def controls(view) -> list:
    """The value controls of a view: sliders, dropdowns, checkboxes, text boxes."""
    return [w for w in walk(view.widget)
            if isinstance(w, widgets.ValueWidget) and not isinstance(w, DISPLAYS) and not w.disabled]


def picture(view) -> tuple:
    """What the learner sees: the PNG (for a LiveView) and the text of every display widget."""
    shown = [w.value for w in walk(view.widget) if isinstance(w, (widgets.HTML, widgets.Label))]
    png = view.png() if hasattr(view, "png") else b""
    return (png, *shown)


def other_values(control) -> list:
    """A few values different from the control's current one, to try in turn."""
    value = control.value
    if isinstance(control, widgets.Checkbox) or isinstance(value, bool):
        return [not value]
    if hasattr(control, "options") and control.options:
        labels = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return [o for o in labels if o != value][:3]
    if isinstance(control, (widgets.Text, widgets.Textarea)):
        return [value + " and more", value[: len(value) // 2] or "x"]
    if isinstance(control, (widgets.IntText, widgets.FloatText, widgets.BoundedIntText, widgets.BoundedFloatText)):
        return [value * 2 + 1, value + 1]
    if hasattr(control, "min") and hasattr(control, "max"):
        lo, hi = control.min, control.max
        mid = (lo + hi) / 2
        if isinstance(value, int):
            mid = int(round(mid))
        return [v for v in (hi, lo, mid) if v != value]
    raise AssertionError(f"no rule for {type(control).__name__}; teach other_values() about it")


def assert_every_control_changes_the_picture(make, actions: dict | None = None) -> None:
    """``make()`` builds the view; ``actions[description](view)`` is what a control needs before it
    shows (a learning-rate slider shows in the next step): such a control is compared on two fresh
    views, one with the control moved, both after the action."""
    actions = actions or {}
    view = make()
    found = controls(view)
    assert found, f"{type(view).__name__} has no controls to walk"
    for index, control in enumerate(found):
        name = f"{type(view).__name__}.{control.description or type(control).__name__}"
        act = actions.get(control.description)
        if act is not None:
            baseline = make()
            act(baseline)
            before = picture(baseline)
            changed = False
            for value in other_values(control):
                moved = make()
                controls(moved)[index].value = value
                act(moved)
                if picture(moved) != before:
                    changed = True
                    break
            assert changed, f"{name}: no value in {other_values(control)} changed the picture after the action"
            continue
        original, before = control.value, picture(view)
        changed = False
        for value in other_values(control):
            control.value = value
            if picture(view) != before:
                changed = True
                break
        assert changed, f"{name}: no value in {other_values(control)} changed the picture"
        control.value = original
        assert picture(view) == before, f"{name}: setting it back did not restore the picture"


# --- the views, each in a state where every control matters -------------------------------------
def _gpt_and_tokenizer():
    from utils.data import CharTokenizer
    from utils.models import GPT, GPTConfig

    tokenizer = CharTokenizer("abcdefghijklmnopqrstuvwxyz ,.!:\nROMEJULIT")
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=tokenizer.vocab_size, block_size=64, n_layer=2, n_head=2, n_embd=32)).eval()
    with torch.no_grad():  # sharper logits than a fresh model's, so top-k and top-p cut visibly
        model.lm_head.weight.mul_(40)
    return model, tokenizer


def _next_token():
    from utils.widgets import NextTokenView

    model, tokenizer = _gpt_and_tokenizer()
    # Sampling mode (temperature 1): top-k and top-p change the coloured bars; in greedy mode they
    # would not, which is how a top-p slider without a redraw once passed its test.
    return NextTokenView(model, tokenizer, "ROMEO:\nbut ", temperature=1.0, top_k=0, top_p=1.0)


def _attention():
    from utils.widgets import AttentionView

    model, tokenizer = _gpt_and_tokenizer()
    # At most PRINT_MAX tokens, so the "print values" checkbox has numbers to show or hide.
    return AttentionView(model, tokenizer, "ROMEO:\nbut")


def _perceptron():
    from utils.widgets import PerceptronPlayground

    return PerceptronPlayground(gate="AND", w1=0.5, w2=-0.5, b=0.2)  # wrong for AND: a step learns


def _gradient_descent():
    from utils.widgets import GradientDescentView

    return GradientDescentView(learning_rate=0.1, steps=3)


def _cost():
    from utils.widgets import CostCalculator

    return CostCalculator(text="Hello world, " * 20)


def _lora():
    from utils.widgets import LoRARankView

    return LoRARankView()


def _rlhf():
    from test_rlhf_widgets import RUNS

    from utils.widgets import RLHFRunsView

    return RLHFRunsView(RUNS, beta=0.0)


def _scaling():
    from test_training_widgets import LOSSES, PARAMS

    from utils.widgets import ScalingView

    return ScalingView(PARAMS, LOSSES, 4.0, 0.05, tokens=1000)


def _lstm():
    from utils.data import CharTokenizer
    from utils.rnn import CharLSTM

    text = "ROMEO:\nBut, soft! what light through yonder window breaks?\nJULIET:\nAy me!\n"
    torch.manual_seed(0)
    tokenizer = CharTokenizer(text)
    return CharLSTM(tokenizer.vocab_size, embed_dim=8, hidden_size=40), tokenizer


def _hidden_states():
    from utils.widgets import HiddenStateView

    return HiddenStateView(*_lstm(), text="ROMEO:")


def _temperature_sampler():
    from utils.widgets import TemperatureSampler

    return TemperatureSampler(*_lstm())


def _embedding_map():
    from utils.widgets import EmbeddingMap

    rng = np.random.default_rng(0)
    words = ["king", "queen", "lord", "lady"] + [f"w{i}" for i in range(60)]
    return EmbeddingMap(rng.normal(size=(len(words), 8)), words, word="king", k=3, max_points=50)


def _latent():
    from utils.widgets import LatentExplorer

    torch.manual_seed(0)
    decoder = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 64), torch.nn.Sigmoid())
    return LatentExplorer(decoder, torch.randn(100, 2), np.arange(100) % 10)


def _digit_probabilities():
    from utils.digits import load_digits_split
    from utils.widgets import DigitProbabilities

    _, _, val_x, val_y = load_digits_split(val_fraction=0.3, seed=0)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 16), torch.nn.ReLU(), torch.nn.Linear(16, 10))
    return DigitProbabilities(model, val_x, val_y, index=0)


def _tokens():
    from utils.widgets import TokenView

    return TokenView()


def _merges():
    from utils.bpe import BytePairTokenizer
    from utils.widgets import MergesView

    text = "To be, or not to be, that is the question. " * 40
    return MergesView(BytePairTokenizer.train(text, 30), text, merges=10)


def _sampler():
    from utils.widgets import SamplerView

    model, tokenizer = _gpt_and_tokenizer()
    with torch.no_grad():
        model.lm_head.weight.div_(40)  # a fresh model's logits: sampling settings change the sample
    return SamplerView(model, tokenizer, "to be or not to be, that is the question\n" * 20, prompt="to be", new_tokens=40)


VIEWS = {
    "merges": _merges, "sampler": _sampler,
    "next_token": _next_token, "attention": _attention, "perceptron": _perceptron,
    "gradient_descent": _gradient_descent, "cost": _cost, "lora_rank": _lora, "rlhf": _rlhf,
    "scaling": _scaling, "hidden_states": _hidden_states, "temperature_sampler": _temperature_sampler,
    "embedding_map": _embedding_map, "latent": _latent, "digit_probabilities": _digit_probabilities,
    "tokens": _tokens,
}


# Controls that show only through an action.
ACTIONS = {"perceptron": {"lr": lambda view: view.step_button.click()}}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_every_control_changes_the_picture(name):
    assert_every_control_changes_the_picture(VIEWS[name], ACTIONS.get(name))


def test_a_control_without_a_redraw_is_caught():
    """The walk itself: a slider that edits the state but never redraws must fail it."""
    def broken():
        view = _next_token()
        view.top_p.unobserve_all("value")
        view.top_p.observe(lambda change: setattr(view.state, "top_p", change["new"]), names="value")
        return view

    with pytest.raises(AssertionError, match="top-p"):
        assert_every_control_changes_the_picture(broken)
