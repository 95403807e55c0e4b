"""Headless tests of notebook 10's views (LoRA rank slider, before/after answers).

Run twice by the test command: on ipywidgets 8 and on Colab's 7.7.1.
"""

import pytest
import torch

from utils.data import CharTokenizer
from utils.instruct import TASKS, Example, format_prompt
from utils.lora import MODEL_SHAPES, lora_parameter_count
from utils.models import GPT, GPTConfig
from utils.widgets import BeforeAfterView, LoRARankView
from utils.widgets.base import NOTEBOOK_WIDTH_PX

pytestmark = pytest.mark.widgets


def test_lora_view_follows_rank_model_and_targets(view_width):
    view = LoRARankView()
    assert view_width(view.widget) <= NOTEBOOK_WIDTH_PX  # 932 px was cut off in JupyterLab
    first = view.png()
    ours = MODEL_SHAPES["our Shakespeare GPT"]
    assert view.numbers["lora_trainable"] == lora_parameter_count(ours, 8) == 65_536
    view.rank_slider.value = 16
    assert view.png() != first and view.numbers["lora_trainable"] == 2 * 65_536
    view.model_box.value = "GPT-3 175B"
    view.rank_slider.value = 4
    view.mlp_box.value = False
    numbers = view.numbers
    assert numbers["matrices"] == ("q", "k", "v", "o")
    assert numbers["lora_trainable"] == lora_parameter_count(MODEL_SHAPES["GPT-3 175B"], 4, ("q", "k", "v", "o"))
    assert numbers["full_memory"] == 16 * 175_000_000_000 > numbers["lora_memory"]
    assert "GPT-3 175B" in view.summary.value and f"{numbers['lora_trainable']:,}" in view.summary.value
    view.attention_box.value = False  # nothing adapted: said, not crashed
    assert view.numbers["lora_trainable"] == 0 and "tick attention or MLP" in view.summary.value
    assert view.settings() == {"model": "GPT-3 175B", "rank": 4, "attention": False, "mlp": False}
    with pytest.raises(ValueError, match="rank must be one of"):
        LoRARankView(rank=3)


@pytest.fixture(scope="module")
def two_models():
    torch.manual_seed(0)
    tok = CharTokenizer("\n !',-.:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    config = GPTConfig(vocab_size=tok.vocab_size, block_size=128, n_layer=1, n_head=2, n_embd=16)
    return {"before": GPT(config), "after": GPT(config)}, tok


def test_before_after_view_answers_with_both_models(two_models):
    models, tok = two_models
    examples = [Example(TASKS[0], format_prompt(TASKS[0], "ROMEO: But soft"), "Romeo and Juliet", "romeo-and-juliet"),
                Example(TASKS[1], format_prompt(TASKS[1], "what light"), "WHAT LIGHT", "romeo-and-juliet")]
    view = BeforeAfterView(models, tok, examples)
    assert set(view.answers) == {"before", "after"} and "Romeo and Juliet" in view.html.value
    count = view.render_count
    view.example.value = 1  # one answer per change, with the example's task and text
    assert view.render_count == count + 1 and view.state.task == TASKS[1] and view.state.text == "what light"
    assert view.expected() == "WHAT LIGHT" and view.prompt == examples[1].prompt
    view.text.value = "my own words"
    assert view.expected() is None and "no reference answer" in view.html.value
    assert view.render_count == count + 2 and ">before<" in view.html.value and ">after<" in view.html.value
    view.text.value = "a # sign"  # a character the model does not know: say which
    assert view.answers == {} and "#" in view.html.value
    bundle = view._repr_mimebundle_()
    assert "text/html" in bundle
    with pytest.raises(ValueError, match="two GPTs"):
        BeforeAfterView({"only": models["before"]}, tok, examples)


def test_before_after_view_speaks_russian(two_models):
    from test_views_speak import english_left

    from utils import i18n

    models, tok = two_models
    examples = [Example(TASKS[0], format_prompt(TASKS[0], "ROMEO: But soft"), "Romeo and Juliet", "romeo-and-juliet"),
                Example(TASKS[1], format_prompt(TASKS[1], "what light"), "WHAT LIGHT", "romeo-and-juliet")]
    # Data, not interface: the English prompt template and its tasks (the model reads English), the examples
    # and the models' names (the caller's).
    kept = {"Task", "Text", "Answer", "Which", "play", "this", "from", "Shout", "line", "Continue", "Romeo", "Juliet",
            "ROMEO", "But", "soft", "what", "light", "WHAT", "LIGHT", "own", "words", "sign", "before", "after"}
    kept |= {word for task in TASKS for word in task.replace("?", " ").replace(".", " ").split()}
    with i18n.speaking("ru"):
        view = BeforeAfterView(models, tok, examples)
        assert "ожидаемый ответ" in view.html.value and view.example.description == "пример"
        view.example.value = 1
        assert english_left(view, kept=kept) == []
        view.text.value = "my own words"
        assert "эталонного ответа нет" in view.html.value and english_left(view, kept=kept) == []
        view.text.value = "a # sign"
        assert view.answers == {} and "#" in view.html.value and english_left(view, kept=kept) == []
    assert "expected answer" in BeforeAfterView(models, tok, examples).html.value  # English again outside


def test_lora_view_speaks_russian_for_every_model():
    from test_views_speak import english_left

    from utils import i18n

    # Data, not interface: the names of the models' matrices (gate, down in Llama) and the authors cited.
    kept = {"gate", "down", "Radford", "Touvron", "Brown"}
    with i18n.speaking("ru"):
        view = LoRARankView()
        assert view.rank_slider.description == "ранг r" and "параметров" in view.summary.value
        for model in MODEL_SHAPES:
            view.model_box.value = model
            assert english_left(view, kept=kept) == [], model
        view.attention_box.value = view.mlp_box.value = False
        assert "нет матриц" in view.summary.value and english_left(view, kept=kept) == []
    assert LoRARankView().ax_params.get_title() == "trainable parameters"  # English again outside


def test_before_after_view_keeps_answers_until_the_weights_change(two_models, monkeypatch):
    from utils.instruct import answer
    from utils.widgets import finetune

    _, tok = two_models
    torch.manual_seed(1)
    config = GPTConfig(vocab_size=tok.vocab_size, block_size=128, n_layer=1, n_head=2, n_embd=16)
    models = {"before": GPT(config), "after": GPT(config)}
    examples = [Example(TASKS[0], format_prompt(TASKS[0], "ROMEO: But soft"), "Romeo and Juliet", "romeo-and-juliet"),
                Example(TASKS[1], format_prompt(TASKS[1], "what light"), "WHAT LIGHT", "romeo-and-juliet")]
    calls = []
    monkeypatch.setattr(finetune, "answer", lambda m, *a: calls.append(m) or answer(m, *a))
    view = BeforeAfterView(models, tok, examples)
    assert len(calls) == 4  # built: both examples answered by both models
    view.example.value = 1  # so choosing one computes nothing
    assert len(calls) == 4
    view.example.value = 0
    view.example.value = 1
    assert len(calls) == 4 and view.answers == {n: answer(m, tok, examples[1].prompt) for n, m in models.items()}
    # the tuned model trains on (in place, even through .data): its answers are computed again
    for _ in range(3):
        with torch.no_grad():
            for p in models["after"].parameters():
                p.data.add_(torch.randn_like(p))
        fresh = answer(models["after"], tok, examples[0].prompt)
        view.example.value = 0
        assert calls[-1] is models["after"] and view.answers["after"] == fresh
        view.example.value = 1
    other = GPT(config)
    models["before"].load_state_dict(other.state_dict())  # new weights loaded: answered afresh
    view.example.value = 0
    assert view.answers["before"] == answer(other, tok, examples[0].prompt)
    assert finetune.weights_hash(models["before"]) == finetune.weights_hash(other) != finetune.weights_hash(models["after"])


def test_before_after_view_builds_with_an_example_it_cannot_read(two_models):
    models, tok = two_models
    odd = Example(TASKS[0], format_prompt(TASKS[0], "ROMEO: ☃ soft"), "Romeo and Juliet", "romeo-and-juliet")
    fine = Example(TASKS[0], format_prompt(TASKS[0], "ROMEO: But soft"), "Romeo and Juliet", "romeo-and-juliet")
    view = BeforeAfterView(models, tok, [fine, odd])  # answers the first, skips the second
    view.example.value = 1
    assert view.answers == {} and "☃" in view.html.value
