"""Headless tests of notebook 11's β slider over RLHF runs (run on ipywidgets 8 and 7.7.1)."""

import numpy as np
import pytest

from utils.widgets import RLHFRunsView, show_rlhf_runs
from utils.widgets.base import NOTEBOOK_WIDTH_PX
from utils.widgets.rlhf import MAX_SAMPLES, check_runs

pytestmark = pytest.mark.widgets


def make_run(beta: float, scale: float) -> dict:
    steps = 12
    return {"beta": beta, "reward": list(np.linspace(0, scale, steps)), "kl": list(np.linspace(0, 3 * scale, steps)),
            "before": [("ROMEO:\nI <b>love</b>", 0.0, 1.0)] * 8,
            "after": [(f"sweet β={beta} & more", scale, 0.0)] * 8}


RUNS = [make_run(0.5, 1.0), make_run(0.0, 4.0), make_run(0.1, 2.0)]


def _samples(view, key: str) -> str:
    heading, body = view._artists["samples"][key]
    return heading.get_text() + "\n" + body.get_text()


def test_slider_switches_curves_samples_and_picture(view_width):
    view = RLHFRunsView(RUNS, beta=0.0)
    # The samples are drawn in the picture, beside the curves (and so in the picture a notebook
    # saves); under them only the base's problem line, empty unless a callback failed.
    assert view.widget.children[-1] is view.problem and view_width(view.widget) <= NOTEBOOK_WIDTH_PX
    assert view.beta.options == (0.0, 0.1, 0.5)  # sorted by β
    assert np.allclose(view._artists["reward"].get_ydata(), RUNS[1]["reward"])
    assert "β = 0" in view._artists["title"].get_text()
    before_png, before_after, renders = view.png(), _samples(view, "after"), view.render_count
    view.beta.value = 0.5
    assert view.state.beta == 0.5 and view.render_count == renders + 1
    assert np.allclose(view._artists["kl"].get_ydata(), RUNS[0]["kl"])
    assert view.png() != before_png and _samples(view, "after") != before_after
    assert "sweet β=0.5 & more" in _samples(view, "after") and "ROMEO:↵I <b>love</b>" in _samples(view, "before")
    assert _samples(view, "after").count("\n") == 1 + MAX_SAMPLES  # heading, column names, capped rows
    assert len(view._artists["others_r"]) == 3
    view.beta.value = 0.0   # back to a β already drawn: the same picture, from the view's store
    assert view.png() == before_png


def test_sample_rows_print_half_points_and_cut_long_completions():
    from utils.widgets.rlhf import MAX_CHARS, sample_table

    table = sample_table([("a\nb", 1.234, -0.5), ("x" * 100, -2.0, 1.5)]).splitlines()
    assert table[0].split() == ["RM", "true", "completion"]
    assert table[1].split() == ["+1.23", "-0.5", "a↵b"]   # a half point is not rounded to "-0"
    assert table[2].split()[:2] == ["-2.00", "+1.5"] and table[2].endswith("x" * (MAX_CHARS - 1) + "…")


def test_static_fallback_and_bad_runs():
    fig = show_rlhf_runs(RUNS, beta=0.1)
    assert fig.axes and np.allclose(fig.axes[0].lines[-1].get_ydata(), RUNS[2]["reward"])
    with pytest.raises(ValueError, match="at least one run"):
        check_runs([])
    with pytest.raises(ValueError, match="lacks"):
        check_runs([{"beta": 0.0}])
    with pytest.raises(ValueError, match="same length"):
        check_runs([{**make_run(0.0, 1.0), "kl": [1.0]}])


def test_the_view_speaks_russian_and_english_is_unchanged():
    import re

    from test_views_speak import english_left

    from utils import i18n

    def run(beta, scale):  # with the labeller's score, so the second axis and the legend are drawn too
        return {**make_run(beta, scale), "true": list(np.linspace(1, 1 - scale, 12))}

    runs = [run(0.0, 4.0), run(0.1, 2.0), run(0.5, 1.0)]
    with i18n.speaking("ru"):
        view = RLHFRunsView(runs, beta=0.0)
        view.beta.value = 0.1
        assert english_left(view) == []
        labels = [view._artists["title"].get_text(), view._artists["ax_k"].get_ylabel(),
                  view._artists["ax_k"].get_xlabel(), view._artists["ax_true"].get_ylabel(), view.beta.description,
                  *(text.get_text() for text in view.figure.axes[0].get_legend().get_texts())]
        assert all(re.search("[а-я]", label) for label in labels), labels
        assert "после (политика, обученная с β = 0.1)" in _samples(view, "after")
    view = RLHFRunsView(runs, beta=0.1)  # English again outside the block, word for word as before
    assert view._artists["title"].get_text() == "β = 0.1: reward +0.00 → +2.00, true +1.0 → -1.0, KL 0.0 → 6.0"
    assert view.beta.description == "KL coef β" and "after (policy trained with β = 0.1)" in _samples(view, "after")
