"""Headless tests of notebook 13's views (denoising timeline, prompt grid).

Run twice by the test command: on ipywidgets 8 and on Colab's 7.7.1.
"""

import pytest
import torch
import torch.nn.functional as F

from utils.diffusion import Denoiser, label_from_prompt, linear_schedule
from utils.widgets.base import NOTEBOOK_WIDTH_PX
from utils.widgets.diffusion import DenoisingTimeline, PromptGrid, show_prompt_grid, show_timeline

pytestmark = pytest.mark.widgets
SCHEDULE = linear_schedule(10)


def tiny_model():
    torch.manual_seed(0)
    model = Denoiser(cond_dim=10, hidden=16, blocks=1, time_dim=8)
    with torch.no_grad():
        torch.nn.init.normal_(model.null_cond)
    return model.eval()


def brightness_classifier(pixels):
    """A stand-in classifier: the digit is the image's mean brightness, in tenths."""
    index = (pixels.mean(dim=1) * 10).long().clamp(0, 9)
    return F.one_hot(index, 10).float()


def one_hot(prompt):
    return F.one_hot(torch.tensor(label_from_prompt(prompt)), 10).float()


def width(view):
    return int(view.image.layout.width.removesuffix("px"))


def test_timeline_slider_walks_from_noise_to_the_sample():
    view = DenoisingTimeline(tiny_model(), SCHEDULE, F.one_hot(torch.arange(3), 10).float(), n=3, seed=0)
    assert view.trajectory.times == list(range(10, -1, -1)) and view.state.t == 10
    start = view.png()
    view.slider.value = 0
    assert view.png() != start and view.state.t == 0 and view.render_count == 2
    shown = view._clean[0].get_array()
    expected = ((view.trajectory.predicted[-1][0] + 1) / 2).clamp(0, 1).reshape(8, 8)
    assert torch.allclose(torch.as_tensor(shown.data, dtype=torch.float32), expected)
    assert "finished" in view._title.get_text() and width(view) <= NOTEBOOK_WIDTH_PX
    assert show_timeline(view.trajectory).axes


def test_timeline_callback_never_raises():
    view = DenoisingTimeline(tiny_model(), SCHEDULE, None, n=2)
    view.trajectory.times.remove(5)  # break it on purpose: step 5 can no longer be found
    view.slider.value = 5
    shown = view.error.value + view.problem.value  # its own line, or the base's problem line
    assert shown.strip(), "the failure must be shown in the view"
    view.slider.value = 3
    assert view.error.value == "" and view.problem.value == "" and view.state.t == 3


def test_timeline_rejects_bad_input():
    with pytest.raises(ValueError, match="n must be"):
        DenoisingTimeline(tiny_model(), SCHEDULE, None, n=20)
    with pytest.raises(ValueError, match="one row per sample"):
        DenoisingTimeline(tiny_model(), SCHEDULE, torch.zeros(2, 10), n=3)


def test_prompt_grid_reacts_to_prompt_guidance_and_seed():
    encoded = []

    def encode(prompt):
        encoded.append(prompt)
        return one_hot(prompt)

    view = PromptGrid(tiny_model(), SCHEDULE, encode, brightness_classifier, label_from_prompt, prompt="seven",
                      guidance=2.0, rows=1, steps=5)
    assert view.pictures.shape == (6, 64) and len(view.verdicts) == 6 and width(view) <= NOTEBOOK_WIDTH_PX
    first = view.png()
    view.prompt_box.value = "цифра два"
    assert view.png() != first and view.settings() == {"prompt": "цифра два", "guidance": 2.0, "seed": 0}
    assert "a 2" in view.info.value
    pictures = view.pictures.copy()
    view.guidance_slider.value = 0.0
    assert not (view.pictures == pictures).all()
    view.seed_button.click()
    assert view.state.seed == 1
    # a prompt already seen is not encoded again
    view.prompt_box.value = "seven"
    assert encoded.count("seven") == 1
    # verdicts are the classifier's, and the ✓ count in the text matches them
    assert view.verdicts == brightness_classifier(torch.as_tensor(view.pictures)).argmax(1).tolist()
    assert f"{sum(v == 7 for v in view.verdicts)} of 6" in view.info.value


def test_guidance_zero_ignores_the_prompt():
    view = PromptGrid(tiny_model(), SCHEDULE, one_hot, brightness_classifier, prompt="one", guidance=0.0, rows=1, steps=5)
    ones = view.pictures.copy()
    view.prompt_box.value = "eight"
    assert (view.pictures == ones).all()  # w = 0: the unconditional model, whatever the prompt
    view.guidance_slider.value = 1.0
    assert not (view.pictures == ones).all()


def test_prompt_grid_bad_prompt_keeps_the_last_picture():
    view = PromptGrid(tiny_model(), SCHEDULE, one_hot, brightness_classifier, label_from_prompt, prompt="seven", rows=1,
                      steps=5)
    shown = view.pictures.copy()
    view.prompt_box.value = "a cat"  # names no digit: encode raises ValueError inside the callback
    assert "which digit" in view.info.value and view.state.prompt == "seven"
    assert (view.pictures == shown).all()
    view.prompt_box.value = ""
    assert "empty" in view.info.value
    view.prompt_box.value = "three"
    assert "✗" not in view.info.value and view.state.prompt == "three"


def test_prompt_grid_rejects_bad_settings_and_static_fallback():
    with pytest.raises(ValueError, match="guidance"):
        PromptGrid(tiny_model(), SCHEDULE, one_hot, brightness_classifier, guidance=20.0)
    with pytest.raises(ValueError, match="rows"):
        PromptGrid(tiny_model(), SCHEDULE, one_hot, brightness_classifier, rows=9)
    fig = show_prompt_grid(torch.rand(4, 64), [1, 2, 3, 3], 3)
    assert "2 of 4" in fig._suptitle.get_text()
    with pytest.raises(ValueError, match="one verdict each"):
        show_prompt_grid(torch.rand(4, 64), [1], 3)


def test_views_speak_russian():
    """Built in Russian, after a move of their controls, neither view shows an English interface word
    (the prompts are data: the learner's words, kept as typed)."""
    from test_views_speak import english_left

    from utils import i18n

    with i18n.speaking("ru"):
        timeline = DenoisingTimeline(tiny_model(), SCHEDULE, F.one_hot(torch.arange(3), 10).float(), n=3, seed=0)
        assert english_left(timeline) == []
        timeline.slider.value = 4
        assert english_left(timeline) == [] and "убирается" in timeline._title.get_text()
        static = show_timeline(timeline.trajectory)
        assert "удаление шума" in static._suptitle.get_text()

        grid = PromptGrid(tiny_model(), SCHEDULE, one_hot, brightness_classifier, label_from_prompt,
                          prompt="a handwritten seven", rows=1, steps=5)
        kept = {"handwritten", "seven"}
        assert english_left(grid, kept=kept) == []
        grid.guidance_slider.value = 1.0
        grid.seed_button.click()
        assert english_left(grid, kept=kept) == []
        assert grid.guidance_slider.description == "управление" and "зерно 1" in grid._title.get_text()
        grid.prompt_box.value = "   "  # the empty-prompt message is the view's own: Russian too
        assert "промпт пуст" in grid.info.value and english_left(grid, kept=kept) == []
        assert "из 4" in show_prompt_grid(torch.rand(4, 64), [1, 2, 3, 3], 3)._suptitle.get_text()
    # and back in English, the same words as before
    grid = PromptGrid(tiny_model(), SCHEDULE, one_hot, brightness_classifier, label_from_prompt, prompt="seven",
                      rows=1, steps=5)
    assert grid.guidance_slider.description == "guidance" and grid.seed_button.description == "new seed"
    assert grid._title.get_text() == "“seven”, guidance 3, seed 0"
    assert grid.guidance_slider.style.description_width == "60px"
