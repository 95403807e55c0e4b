"""Headless tests of notebook 09's views (live loss curves, scaling-law slider).

Run twice by the test command: on ipywidgets 8 and on Colab's 7.7.1.
"""

import numpy as np
import pytest

from utils.scaling import power_law
from utils.widgets import LossCurves, ScalingView, show_scaling

pytestmark = pytest.mark.widgets
PARAMS = np.array([1e3, 1e4, 1e5, 1e6])
LOSSES = power_law(PARAMS, 4.0, 0.05)


def test_loss_curves_redraw_as_points_arrive():
    curves = LossCurves(total_steps=100)
    first = curves.png()
    curves.add(10, 3.0, 3.1)
    curves.add(20, 2.5)
    assert curves.png() != first and curves.render_count == 3
    assert list(curves.train_line.get_xdata()) == [10, 20] and list(curves.val_line.get_ydata()) == [3.1]
    curves.add(30, float("nan"))  # from a training callback: never raises (it would abort the run)
    assert list(curves.train_line.get_xdata()) == [10, 20] and "diverged" in curves.problem.value


def test_scaling_slider_moves_the_marker_on_the_fit():
    view = ScalingView(PARAMS, LOSSES, 4.0, 0.05, tokens=1000)
    before = view.png()
    view.slider.value = 8.0
    assert view.png() != before
    x, y = view.marker.get_data()
    assert x[0] == pytest.approx(1e8) and y[0] == pytest.approx(power_law(1e8, 4.0, 0.05))
    assert view.prediction()["compute"] == pytest.approx(6e8 * 1000)
    assert "extrapolated" in view.readout.value
    view.slider.value = 4.0
    assert "extrapolated" not in view.readout.value and view.settings() == {"log10_params": 4.0}
    assert show_scaling(PARAMS, LOSSES, 4.0, 0.05, 1000).axes


def test_scaling_view_rejects_mismatched_input():
    with pytest.raises(ValueError, match="same shape"):
        ScalingView(PARAMS, LOSSES[:2], 4.0, 0.05, tokens=1000)


def _english_training_words() -> set[str]:
    """The interface words of utils/locales/en/training.json (once moved out of the code, the words
    test_views_speak collects from string constants no longer include them)."""
    from test_views_speak import ENGLISH_WORD

    from utils import i18n

    texts = (i18n.t_in("en", key) for key in i18n.strings("en") if key.startswith("training."))
    return {word for text in texts for word in ENGLISH_WORD.findall(text)} - {"style", "div", "font", "size",
                                                                                "line", "height", "color"}


def _english_in(view) -> list[str]:
    from test_views_speak import ENGLISH_WORD, english_left, shown_text

    words = _english_training_words() - {"Chinchilla", "NaN"}  # a name and a value, the same in Russian
    return english_left(view) + [text for text in shown_text(view) if set(ENGLISH_WORD.findall(text)) & words]


def _used_views():
    curves = LossCurves(total_steps=100)
    curves.add(10, 3.0, 3.1)
    curves.add(20, 2.5, 2.6)
    curves.add(30, float("nan"), float("inf"))  # the "training diverged" message
    scaling = ScalingView(PARAMS, LOSSES, 4.0, 0.05, tokens=1000)
    scaling.slider.value = 8.0                  # outside the measured range: the warning line
    return curves, scaling


def test_views_speak_russian_after_use():
    from utils import i18n

    with i18n.speaking("ru"):
        curves, scaling = _used_views()
        assert "разошлось" in curves.problem.value and "экстраполяция" in scaling.readout.value
        assert _english_in(curves) == [] and _english_in(scaling) == []
    curves, scaling = _used_views()             # the same check finds the English ones
    assert "diverged" in curves.problem.value
    assert _english_in(curves) and _english_in(scaling)


def test_loss_curves_keep_their_frame_while_training_and_fit_it_at_the_last_step(monkeypatch):
    from utils import figures

    monkeypatch.setattr(figures, "CHECK_REPAINTS", False)  # its full drawings would be counted too
    # New y limits mean new ticks, and a picture with new ticks is drawn in full (slow): while the
    # curves fit in the range they keep it; the last step's picture, the one that stays, fits tightly.
    curves = LossCurves(total_steps=100)
    losses = [3.0, 2.6, 2.4, 2.3, 2.25, 2.2, 2.15, 2.1, 2.05, 2.0]
    for step, loss in zip(range(10, 101, 10), losses):
        curves.add(step, loss, loss + 0.05)
        low, high = curves.ax.get_ylim()
        seen = curves.state.train_losses + curves.state.val_losses
        assert low < min(seen) and max(seen) < high, "every point drawn stays inside the picture"
    assert curves._painter.full_draws <= 6, f"{curves._painter.full_draws} full drawings for 10 points"
    pad = 0.05 * (3.05 - 2.0) + 0.02
    assert np.allclose(curves.ax.get_ylim(), (2.0 - pad, 3.05 + pad)), "the last picture fits the curves"
    assert curves.ax.get_xlim() == (0, 100)
