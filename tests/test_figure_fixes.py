"""Defects found in the review of every saved picture (issue 16), each checked on what was drawn."""

from __future__ import annotations

import numpy as np
import pytest
from stubs import letter_counts

from utils.figures import new_figure


def _texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts if t.get_visible()]


@pytest.mark.widgets
def test_an_attention_weight_near_one_prints_as_1_not_00():
    from utils.widgets.attention import _draw_static, _update, weight_label

    assert [weight_label(v) for v in (0.9951, 0.999, 1.0, 0.5, 0.25, 0.004)] == ["1", "1", "1", ".50", ".25", ".00"]
    weights = np.array([[1.0, 0.0, 0.0], [0.997, 0.003, 0.0], [0.2, 0.3, 0.5]])
    artists = _draw_static(new_figure(560, 500), 3)
    _update(artists, ["a", "b", "c"], weights, "test", True)
    shown = [t.get_text() for row in artists["texts"] for t in row if t.get_visible()]
    assert shown == ["1", "1", ".00", ".20", ".30", ".50"]


def test_plot_curves_draws_labelled_reference_lines_and_no_one_entry_legend():
    from utils.plots import plot_curves

    fig = plot_curves({"training loss": [4.0, 3.0, 2.5]}, references={"ln V": 4.17, "bigram model": 2.48})
    ax = fig.axes[0]
    levels = sorted(line.get_ydata()[0] for line in ax.lines if line.get_linestyle() == "--")
    assert levels == pytest.approx([2.48, 4.17])
    assert {"ln V", "bigram model"} <= set(_texts(ax))
    assert ax.get_legend() is None, "one curve: the title names it, a legend adds nothing"
    assert plot_curves({"a": [1, 2], "b": [2, 1]}).axes[0].get_legend() is not None
    with pytest.raises(ValueError, match="finite"):
        plot_curves({"a": [1, 2]}, references={"bad": float("nan")})


@pytest.mark.widgets
def test_loss_curves_draw_a_window_mean_at_the_middle_of_its_window():
    from utils.widgets import LossCurves

    curves = LossCurves("test", total_steps=100)
    curves.add(0, 4.0, 4.0)
    curves.add(50, 3.0, 3.2, train_window=50)   # the mean of steps 1..50 describes step 25.5
    x, _ = curves.train_line.get_data()
    assert list(x) == [0, 25.5]
    assert list(curves.val_line.get_data()[0]) == [0, 50]
    curves.add(60, 2.9, train_window=0)   # refused on the problem line, not raised
    assert "train_window" in curves.problem.value and len(curves.state.train_steps) == 2


@pytest.mark.widgets
def test_lora_view_draws_dots_at_the_values_on_its_log_axes():
    from utils.widgets.finetune import LoRARankView

    view = LoRARankView()
    n = view.numbers
    assert not view.ax_params.patches, "no bars on a log axis"
    assert view.param_dots.get_offsets()[:, 0].tolist() == [n["full_trainable"], n["lora_trainable"]]
    view.rank_slider.value = max(view.rank_slider.options)
    assert view.param_dots.get_offsets()[1, 0] == view.numbers["lora_trainable"] > n["lora_trainable"]


@pytest.mark.widgets
def test_rlhf_runs_draw_the_true_score_and_name_each_grey_line():
    from utils.widgets import RLHFRunsView
    from utils.widgets.rlhf import check_runs

    def run(beta, scale):
        steps = 10
        return {"beta": beta, "reward": list(np.linspace(0, scale, steps)), "kl": list(np.linspace(0, 3 * scale, steps)),
                "true": list(np.linspace(1, 1 - scale, steps)), "before": [("a", 0.0, 1.0)], "after": [("b", scale, 0.0)]}

    runs = [run(0.0, 4.0), run(0.1, 2.0), run(0.5, 1.0)]
    view = RLHFRunsView(runs, beta=0.0)
    assert np.allclose(view._artists["true"].get_ydata(), runs[0]["true"])
    view.beta.value = 0.5
    assert np.allclose(view._artists["true"].get_ydata(), runs[2]["true"])
    assert {"β=0", "β=0.1", "β=0.5"} <= set(_texts(view._artists["ax_k"]))
    assert "nats" in view._artists["ax_k"].get_ylabel()
    with pytest.raises(ValueError, match="one value per step"):
        check_runs([{**run(0.0, 1.0), "true": [1.0]}])


@pytest.mark.widgets
def test_digit_probabilities_say_right_or_wrong_beyond_colour():
    import torch

    from utils.widgets import DigitProbabilities

    class Says(torch.nn.Module):  # always answers `digit`
        def __init__(self, digit):
            super().__init__()
            self.digit = digit

        def forward(self, x):
            return torch.nn.functional.one_hot(torch.full((len(x),), self.digit), 10).float() * 5

    images, labels = torch.rand(2, 64), torch.tensor([3, 5])
    view = DigitProbabilities(Says(3), images, labels, index=0)
    bars, title = view._artists["bars"], view._artists["bar_title"]
    assert "✓" in title.get_text() and not any(bar.get_hatch() for bar in bars)
    view.index.value = 1   # true 5, the model says 3
    assert "✗" in title.get_text() and "true 5" in title.get_text()
    assert bars[3].get_hatch() and not bars[5].get_hatch()


def test_heatmap_prints_values_and_greys_masked_cells():
    from utils.plots import MASKED_GREY, plot_heatmap

    causal = np.tril(np.full((3, 3), 0.5))
    causal[np.triu_indices(3, 1)] = np.nan
    fig = plot_heatmap(causal, ["a", "b", "c"], ["a", "b", "c"], title="causal")
    ax = fig.axes[0]
    assert sorted(_texts(ax)) == ["0.50"] * 6   # only the six visible cells carry a value
    image = ax.images[0]
    assert image.get_array().mask.sum() == 3
    rgba = image.cmap(image.norm(image.get_array()))
    from matplotlib.colors import to_rgba
    assert tuple(rgba[0, 2]) == to_rgba(MASKED_GREY)
    with pytest.raises(ValueError, match="one label per row"):
        plot_heatmap(causal, row_labels=["a"])
    with pytest.raises(ValueError, match="2-D"):
        plot_heatmap([1, 2, 3])


def test_grouped_bars_one_cluster_per_group_labelled_from_zero():
    from utils.plots import plot_grouped_bars

    fig = plot_grouped_bars({"English": {"a": 16, "b": 15}, "Bengali": {"a": 90, "b": 30}}, ylabel="tokens")
    ax = fig.axes[0]
    heights = sorted(round(p.get_height()) for p in ax.patches)
    assert heights == [15, 16, 30, 90]
    assert ax.get_ylim()[0] == 0
    assert {t.get_text() for t in ax.texts} == {"16", "15", "90", "30"}
    assert len({p.get_hatch() for p in ax.patches}) == 2, "each series has its own hatch, not only a colour"
    with pytest.raises(ValueError, match="missing"):
        plot_grouped_bars({"English": {"a": 1}, "Bengali": {"b": 2}}, ylabel="tokens")


def test_plot_curves_takes_real_steps_and_marks_a_step():
    from utils.plots import plot_curves

    fig = plot_curves({"train": [3, 2, 1], "validation": [3, 2.5, 2.8]}, x=[25, 50, 75], marks={"early stop": 50})
    ax = fig.axes[0]
    assert list(ax.lines[0].get_xdata()) == [25, 50, 75]
    assert any(list(line.get_xdata()) == [50, 50] for line in ax.lines) and "early stop" in _texts(ax)
    with pytest.raises(ValueError, match="one x per point"):
        plot_curves({"train": [3, 2, 1]}, x=[1, 2])


def test_plot_curves_tells_curves_apart_without_colour():
    from utils.plots import plot_curves

    runs = {f"run {k}": [3.0 - k, 2.0, 1.0 + k] for k in range(4)}
    lines = plot_curves(runs).axes[0].lines[:4]
    assert len({line.get_linestyle() for line in lines}) == 4, "each curve needs its own line style"
    assert len({line.get_marker() for line in lines}) == 4, "each curve with few points needs its own marker"
    assert len({line.get_color() for line in lines}) == 4


@pytest.mark.widgets
def test_temperature_bars_print_their_probabilities():
    import torch

    from utils.data import CharTokenizer
    from utils.rnn import CharLSTM
    from utils.widgets import TemperatureSampler

    torch.manual_seed(0)
    tok = CharTokenizer("ROMEO:\nBut soft, what light through yonder window breaks?\n")
    view = TemperatureSampler(CharLSTM(tok.vocab_size, embed_dim=8, hidden_size=16), tok, prompt="ROMEO:\n")
    printed = [float(t.get_text()) if t.get_text() != "1" else 1.0 for t in view._values]
    assert printed == pytest.approx([bar.get_height() for bar in view._bars], abs=0.006)
    view.temperature.value = 0.1
    assert float(view._values[0].get_text() if view._values[0].get_text() != "1" else 1) == pytest.approx(
        view._bars[0].get_height(), abs=0.006)


def test_hidden_weights_each_unit_on_its_own_scale_and_the_strongest_first():
    from utils.widgets.digits import show_hidden_weights

    weight = np.ones((6, 64)) * np.array([[0.01], [5.0], [0.1], [3.0], [0.02], [1.0]])
    fig = show_hidden_weights(weight, units=2, strongest=True)
    titled = [ax.get_title() for ax in fig.axes if ax.images]
    assert titled == ["unit 1", "unit 3"]
    assert [ax.images[0].get_clim()[1] for ax in fig.axes if ax.images] == [5.0, 3.0]
    weak = show_hidden_weights(weight, units=3)   # the first three, a faint one keeps its own scale
    assert [ax.images[0].get_clim()[1] for ax in weak.axes if ax.images] == [0.01, 5.0, 0.1]
    # One colour bar that says how to read per-unit scales: −max … 0 … +max, not absolute weights.
    bars = [ax for ax in fig.axes if not ax.images and ax.get_yticklabels() and ax.get_ylabel()]
    assert len(bars) == 1 and [label.get_text() for label in bars[0].get_yticklabels()] == ["−max", "0", "+max"]
    assert "largest |w|" in bars[0].get_ylabel()


def test_latent_map_writes_each_digit_on_its_cluster():
    from utils.widgets.digits import _latent_axes

    codes = np.array([[0.0, 0.0], [0.2, 0.0], [5.0, 5.0], [5.2, 5.0]])
    labels = np.array([1, 1, 7, 7])
    fig = new_figure(560, 260)
    _latent_axes(fig, codes, labels)
    placed = {t.get_text(): t.get_position() for t in fig.axes[0].texts}
    assert placed == {"1": (0.1, 0.0), "7": (5.1, 5.0)}


@pytest.mark.widgets
def test_retrieval_picture_names_the_query_and_shows_only_used_rows():

    from utils.sentence_embeddings import Passage
    from utils.widgets import RetrievalView

    class Encoder:  # letter counts: "aaa" is closest to the passage of a's
        def encode(self, texts):
            return letter_counts(texts)

    passages = [Passage("Play A", "a", 0, "aaaa aaa"), Passage("Play B", "b", 1, "bbbb bbb"),
                Passage("Play C", "c", 2, "cccc abc")]
    encoder = Encoder()
    view = RetrievalView(encoder, passages, encoder.encode([p.text for p in passages]), question="aaa", k=2)
    assert "aaa" in view.figure.get_suptitle()
    assert view._ax.get_ylim() == (1.5, -0.5), "two results, two rows: no empty slots"
    labels = [t.get_text() for t in view._ax.get_yticklabels()][:2]
    assert labels[0].startswith("Play A") and "aaaa" in labels[0] and "#" not in labels[0]


@pytest.mark.widgets
def test_cost_calculator_picture_shows_the_cost_and_the_models_tokenizer():
    from utils.widgets import CostCalculator

    view = CostCalculator(text="Hello world")
    assert f"${view.cost:,.2f}" in view._ax.get_title()
    hatched = [bar.get_hatch() for bar in view._bars]
    view.model.value = "gpt-3.5-turbo"   # a cl100k model: the middle bar is its tokenizer
    assert [bool(bar.get_hatch()) for bar in view._bars] == [False, True, False] and hatched[2]


def test_perceptron_epochs_draw_one_labelled_line_per_epoch_and_the_last_bold():
    from utils.widgets.perceptron import show_perceptron_epochs

    history = [(0.5, 0.5, 0.0), (1.0, 0.5, -0.5), (1.0, 1.0, -1.0), (1.0, 0.5, -1.5), (1.0, 0.5, -1.5)]
    ax = show_perceptron_epochs(history, gate="and").axes[0]
    drawn = [line for line in ax.lines if line.get_visible() and len(line.get_xdata())]
    assert len(drawn) == 4, "epochs 4 and 5 end with the same weights: one line, two numbers"
    *earlier, final = drawn
    assert all(line.get_linestyle() != "-" and line.get_linewidth() < final.get_linewidth() for line in earlier)
    assert final.get_linestyle() == "-" and len({line.get_linestyle() for line in earlier}) == 3
    xs, ys = final.get_data()
    assert np.allclose(1.0 * np.asarray(xs) + 0.5 * np.asarray(ys) - 1.5, 0), "the bold line is the last epoch's"
    assert {"1", "2", "3", "4–5"} <= set(_texts(ax))
    assert [t.get_text() for t in ax.get_legend().get_texts()][-1].endswith("4–5 (final)")
    with pytest.raises(ValueError, match="history"):
        show_perceptron_epochs([], gate="AND")


@pytest.mark.widgets
def test_hidden_state_rows_are_sorted_by_average_and_labelled_with_their_unit():
    import torch

    from utils.data import CharTokenizer
    from utils.rnn import CharLSTM
    from utils.widgets import HiddenStateView

    torch.manual_seed(0)
    tokenizer = CharTokenizer("ROMEO: But, soft! what light through yonder window breaks?\n")
    model = CharLSTM(tokenizer.vocab_size, embed_dim=8, hidden_size=40)
    view = HiddenStateView(model, tokenizer, text="ROMEO:\nBut, soft!")
    with torch.no_grad():
        _, hidden, _ = model(torch.tensor([tokenizer.encode("ROMEO:\nBut, soft!")]), return_hidden=True)
    unsorted = hidden[0, :, :32].T.numpy()
    assert sorted(view.unit_order.tolist()) == list(range(32)) and view.unit_order.tolist() != list(range(32))
    assert np.allclose(view.states, unsorted[view.unit_order], atol=1e-6)
    means = view.states.mean(axis=1)
    assert np.all(np.diff(means) <= 1e-9), "rows go from the highest average activation to the lowest"
    drawn = np.ma.getdata(view._image.get_array())[:, : view.states.shape[1]]
    assert np.allclose(drawn, view.states)
    assert [label.get_text() for label in view._artists[2]] == [str(u) for u in view.unit_order]  # row labels


@pytest.mark.widgets
def test_latent_map_uses_a_colour_blind_safe_set_and_starts_the_cross_where_asked():
    import torch
    from matplotlib.colors import to_hex

    from utils.diagrams.style import CATEGORY_10
    from utils.widgets import LatentExplorer

    torch.manual_seed(0)
    decoder = torch.nn.Sequential(torch.nn.Linear(2, 64), torch.nn.Sigmoid())
    codes, labels = torch.randn(100, 2) * 3, np.arange(100) % 10
    view = LatentExplorer(decoder, codes, labels, start=(1.0, -0.5))
    assert (view.z1.value, view.z2.value) == pytest.approx((1.0, -0.5))
    assert [float(v) for v in np.ravel(view._artists["cursor"].get_data())] == pytest.approx([1.0, -0.5])
    points = view.figure.axes[0].collections[0]
    assert [to_hex(points.cmap(k)) for k in range(10)] == [c.lower() for c in CATEGORY_10]
    assert len(set(CATEGORY_10)) == 10
    middle = LatentExplorer(decoder, codes, labels)   # no start: the median of all codes
    assert middle.z1.value == pytest.approx(float(np.median(codes[:, 0].numpy())), abs=1e-3)
    far = LatentExplorer(decoder, codes, labels, start=(1e6, 0.0))   # kept inside the sliders' range
    assert far.z1.value == pytest.approx(far.z1.max)
    with pytest.raises(ValueError, match="start"):
        LatentExplorer(decoder, codes, labels, start=(float("nan"), 0.0))


def test_plot_functions_tells_the_curves_apart_by_line_style_and_labels_y():
    from utils.plots import plot_functions

    ax = plot_functions({"a": np.tanh, "b": np.sin}).axes[0]
    assert [line.get_linestyle() for line in ax.lines[:2]] == ["-", "--"]
    assert ax.get_ylabel() == "f(z)"


@pytest.mark.widgets
def test_scaling_view_names_its_units_and_the_chosen_size_without_a_dense_grid():
    from utils.widgets import ScalingView

    params, losses = np.array([1e3, 1e4, 1e5]), np.array([3.0, 2.6, 2.2])
    view = ScalingView(params, losses, 4.0, 0.05, tokens=1000)
    ax = view._ax
    assert "nats/char" in ax.get_ylabel() and "slider" not in ax.get_title().lower()
    minor_grid = [tick for axis in (ax.xaxis, ax.yaxis) for tick in axis.get_minor_ticks() if tick.gridline.get_visible()]
    assert not minor_grid, "a grid line at every 2..9 × 10^k is a dense mesh: one per decade is enough"
    assert any(tick.gridline.get_visible() for tick in ax.xaxis.get_major_ticks())
    view.slider.value = view.slider.max   # 10^7, beyond the measured sizes
    label = view.marker_label.get_text()
    assert "N = 10 M" in label and f"{view.prediction()['loss']:.2f} nats/char" in label and "extrapolated" in label
    assert view.marker_label.xy == pytest.approx((1e7, view.prediction()["loss"]))
    assert "nats/token" in ScalingView(params, losses, 4.0, 0.05, tokens=1000, unit="token")._ax.get_ylabel()
    with pytest.raises(ValueError, match="unit"):
        ScalingView(params, losses, 4.0, 0.05, tokens=1000, unit="word")


@pytest.mark.widgets
def test_rlhf_picture_shows_the_samples_the_text_promises():
    from utils.widgets import RLHFRunsView, show_rlhf_runs

    def run(beta, after):
        return {"beta": beta, "reward": [0.0, 1.0], "kl": [0.0, 2.0], "true": [0.0, -0.5],
                "before": [("ROMEO:\nmy gentle love", 0.1, 2.0)], "after": [(after, 2.5, -0.5)]}

    runs = [run(0.0, "sweet sweet sweet sweet"), run(0.1, "fair and gentle words")]
    for figure in (RLHFRunsView(runs, beta=0.0).figure, show_rlhf_runs(runs, beta=0.0)):
        texts = "\n".join(t.get_text() for t in figure.findobj(lambda a: hasattr(a, "get_text")) if t.get_visible())
        assert "ROMEO:↵my gentle love" in texts and "sweet sweet sweet sweet" in texts
        assert "+2.50" in texts and "-0.5" in texts and "fair and gentle" not in texts


@pytest.mark.widgets
def test_chat_picture_names_the_question_and_says_what_the_orange_bar_is():
    from test_widgets_llm import FakeChat

    from utils.widgets import ChatBox

    view = ChatBox(FakeChat(), question="Write a short poem about the sea.", temperature=0.7, max_new_tokens=4)
    title = view._title.get_text()
    assert "Write a short poem about the sea." in title and "first answer token" in title
    top, *others = view._bars
    assert top.get_hatch() and not any(bar.get_hatch() for bar in others), "the top bar has a cue beside colour"
    assert top.get_facecolor() != others[0].get_facecolor()
    legend = view._ax.get_legend()
    assert legend is not None and "T = 0" in legend.get_texts()[0].get_text()
    assert legend.legend_handles[0].get_hatch() == top.get_hatch()
    view.question.value = "x" * 300   # a long question is cut, on one line
    assert len(view._title.get_text().splitlines()[0]) < 50 and "…" in view._title.get_text()
