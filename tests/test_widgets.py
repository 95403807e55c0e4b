"""Headless tests of the widget layer and notebook 01's playground.

Run by the test command twice: on ipywidgets 8 and on Colab's 7.7.1 (``-m widgets``).
"""

import base64
import dataclasses
import os
import re
import types
from html.parser import HTMLParser

import ipywidgets
import numpy as np
import pytest

import utils.widgets.base as widget_base
from utils.i18n import t
from utils.perceptron import gate_data
from utils.widgets import PerceptronPlayground
from utils.widgets.base import (
    EMPTY_VIEW_MARK,
    NOTEBOOK_WIDTH_PX,
    WIDGET_MIME,
    HtmlView,
    LiveView,
    clean_text,
    figure_to_png,
    fixed_layout,
    new_figure,
    problem_html,
    token_label,
    widget_bundle,
)
from utils.widgets.perceptron import decision_line, show_perceptron

pytestmark = pytest.mark.widgets
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_running_on_the_expected_ipywidgets():
    # The 7.7.1 run sets EXPECT_IPYWIDGETS, so it cannot silently test version 8 twice.
    expected = os.environ.get("EXPECT_IPYWIDGETS")
    if expected:
        assert ipywidgets.__version__ == expected


def test_new_figure_has_fixed_pixels():
    fig = new_figure(300, 200, dpi=100)
    png = figure_to_png(fig)
    assert png.startswith(PNG_MAGIC)
    assert int.from_bytes(png[16:20], "big") == 300 and int.from_bytes(png[20:24], "big") == 200
    with pytest.raises(ValueError, match="at least 50x50"):
        new_figure(10, 10)


def test_decision_line_geometry():
    xs, ys = decision_line(1.0, 1.0, -1.5)
    assert np.allclose(xs + ys, 1.5)  # every point on it satisfies w·x + b = 0
    xs, ys = decision_line(2.0, 0.0, -1.0)
    assert np.allclose(xs, 0.5)
    assert decision_line(0.0, 0.0, 1.0)[0].size == 0


def test_slider_moves_the_line_and_changes_the_picture():
    view = PerceptronPlayground(gate="AND")
    before, renders = view.png(), view.render_count
    assert before.startswith(PNG_MAGIC) and view.errors == 3  # all outputs 1 at w = 0, b = 0
    view.w1.value, view.w2.value, view.b.value = 1.0, 1.0, -1.5
    assert view.state.w1 == 1.0 and view.state.b == -1.5
    assert view.render_count == renders + 3
    assert view.png() != before
    xs, ys = view._artists["line"].get_data()
    assert np.allclose(np.asarray(xs) + np.asarray(ys), 1.5)
    assert view.errors == 0 and "0 of 4 wrong" in view._artists["title"].get_text()
    assert view.outputs.tolist() == [0, 0, 0, 1]


def test_gate_dropdown_recolours_points():
    view = PerceptronPlayground(gate="AND", w1=1.0, w2=1.0, b=-1.5)
    edges_and = view._artists["points"].get_edgecolors().copy()
    view.gate.value = "XOR"
    assert view.state.gate == "XOR" and view.errors == 3  # outputs 0,0,0,1 vs targets 0,1,1,0
    assert not np.allclose(edges_and, view._artists["points"].get_edgecolors())
    assert "target 1" in view._artists["labels"][1].get_text()


def test_step_button_applies_one_update_and_shows_arithmetic():
    view = PerceptronPlayground(gate="AND", learning_rate=0.5)
    renders = view.render_count
    view.step_button.click()  # point (0, 0), target 0, output 1: bias goes down by 0.5
    assert view.state.b == -0.5 and view.state.w1 == 0.0 and view.b.value == -0.5
    assert view.render_count == renders + 1  # three sliders moved, one redraw
    assert "error = target − output = -1" in view.arithmetic.value
    assert view.state.next_point == 1 and view.state.steps_taken == 1
    assert np.allclose(view._artists["cursor"].get_offsets(), [[0, 1]])


def test_stepping_learns_or_and_reset():
    view = PerceptronPlayground(gate="OR")
    for _ in range(40):
        view.step_button.click()
    assert view.errors == 0
    x, t = gate_data("OR")
    w = np.array([view.state.w1, view.state.w2])
    assert ((x @ w + view.state.b >= 0).astype(int) == t).all()
    view.reset_button.click()
    assert (view.state.w1, view.state.w2, view.state.b, view.state.steps_taken) == (0, 0, 0, 0)


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="between -3.0 and 3.0"):
        PerceptronPlayground(w1=10)
    with pytest.raises(ValueError, match="unknown gate"):
        PerceptronPlayground(gate="MAYBE")


def test_display_bundle_has_widget_and_png_fallback():
    view = PerceptronPlayground()
    bundle = view._repr_mimebundle_()
    assert WIDGET_MIME in bundle and bundle["image/png"]
    assert view.settings()["gate"] == "AND"


def test_static_fallback_draws_a_figure():
    fig = show_perceptron(1, 1, -0.5, "or")
    assert figure_to_png(fig).startswith(PNG_MAGIC)
    assert "OR: 0 of 4 wrong" in fig.axes[0].get_title()


# -- added after the mutation run of 2026-11-26 (issue 25) --
# The widget base layer (utils/widgets/base.py) on the smallest views that use it, so that every
# promise a notebook relies on is checked here: token labels, fixed sizes, the display bundle, the
# error line under a view, held redraws, the saved text of an empty view.


@dataclasses.dataclass
class DialState:
    value: float = 0.0


class DialView(LiveView):
    """The smallest live view: a slider sets the height of one line; a value above 0.9 cannot be drawn."""

    def __init__(self, width_px: int = 300, height_px: int = 200, side=None, below=None):
        self.state = DialState()
        figure = new_figure(width_px, height_px)
        axes = figure.add_subplot()
        axes.set_ylim(-1, 1)
        (self.line,) = axes.plot([0, 1], [0, 0])
        self.slider = self.link(ipywidgets.FloatSlider(min=-1.0, max=1.0, step=0.05), "value")
        super().__init__(figure, [self.slider], side=side, below=below)

    def draw(self) -> None:
        if self.state.value > 0.9:
            raise ValueError(f"value {self.state.value} is above 0.9")
        self.line.set_ydata([self.state.value] * 2)


class EmptyDialView(DialView):
    def is_empty(self) -> bool:
        return True


@dataclasses.dataclass
class EchoState:
    text: str = "hello"


class EchoView(HtmlView):
    """The smallest HTML view: a text box whose text is shown in bold."""

    def __init__(self, **kwargs):
        self.state = EchoState()
        self.box = self.link(ipywidgets.Text(value=self.state.text), "text")
        super().__init__([self.box], **kwargs)

    def draw(self) -> None:
        self.html.value = f"<b>{self.state.text}</b>"


class _Visible(HTMLParser):
    """The text a reader sees in an HTML snippet, and the part of it in italics."""

    def __init__(self, markup: str):
        super().__init__()
        self.text, self.italic, self.tags, self._in_italic = "", "", [], 0
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_italic += tag == "i"

    def handle_endtag(self, tag):
        self.tags.append("/" + tag)
        self._in_italic -= tag == "i"

    def handle_data(self, data):
        self.text += data
        if self._in_italic:
            self.italic += data


def test_token_label_makes_every_token_visible():
    assert token_label(" \n\t") == "␣↵⇥"
    assert token_label("\t") == "⇥"
    # other invisible characters: their escape code, readable as Python writes it
    assert token_label("a\x00b") == "a\\x00b"
    assert token_label("\x07") == "\\x07"
    assert token_label("\u200b") == "\\u200b"  # zero-width space
    # printable characters stay as they are, a backslash and a quote included
    assert token_label("\\") == "\\"
    assert token_label("it's ∑") == "it's␣∑"
    assert token_label("") == "∅"
    assert token_label("hello", 3) == "hel"


def test_fixed_layout_pins_the_size():
    layout = fixed_layout(300, 200)
    assert (layout.width, layout.min_width, layout.height, layout.min_height) == ("300px", "300px", "200px", "200px")
    layout = fixed_layout(300)
    assert (layout.width, layout.min_width) == ("300px", "300px")
    assert layout.height is None and layout.min_height is None  # the height follows the content


def test_widget_bundle_names_the_widget_as_ipywidgets_does():
    fallback = {"text/plain": "<a view>", "image/png": "iVBOR"}
    widget = ipywidgets.Button()
    bundle = widget_bundle(widget, fallback)
    assert bundle[WIDGET_MIME] == widget.get_view_spec() == {"version_major": 2, "version_minor": 0,
                                                             "model_id": widget.model_id}
    assert {k: v for k, v in bundle.items() if k != WIDGET_MIME} == fallback
    assert WIDGET_MIME not in fallback  # the caller's dict is not changed
    # a closed widget still names its model, as ipywidgets' own display does
    widget.close()
    assert widget_bundle(widget, fallback)[WIDGET_MIME] == widget.get_view_spec()
    # something that is no widget: only the fallback
    assert widget_bundle(object(), fallback) == fallback


def test_clean_text_replaces_only_lone_surrogates():
    assert clean_text("plain ✓ é 😀 ∑") == "plain ✓ é 😀 ∑"
    assert clean_text("half \ud83d of an emoji") == "half ? of an emoji"
    assert clean_text("\udc00\ud83d") == "??"


def test_problem_html_shows_the_message_escaped_with_the_hint():
    shown = _Visible(problem_html(ValueError("x < 0 is not allowed")))
    hint = t("widgets.change_input")
    assert shown.text == f"⚠ x < 0 is not allowed ({hint})"
    assert shown.italic == f"({hint})"
    assert shown.tags[0] == "div" and shown.tags[-1] == "/div"
    # without the hint: the message alone; a string is shown as given, even an empty one
    for message in ("no <b>tags</b> here", ""):
        shown = _Visible(problem_html(message, hint=False))
        assert shown.text == f"⚠ {message}" and shown.italic == "" and "i" not in shown.tags
    # an exception without a message: its type
    assert _Visible(problem_html(KeyError(), hint=False)).text == "⚠ KeyError"
    assert _Visible(problem_html(ValueError())).text == f"⚠ ValueError ({hint})"
    # a lone surrogate cannot be sent to the page: it becomes "?"
    assert _Visible(problem_html("bad \ud83d", hint=False)).text == "⚠ bad ?"


def test_problem_html_cuts_a_long_message_at_300_characters():
    exact = "x" * 300
    assert _Visible(problem_html(exact, hint=False)).text == f"⚠ {exact}"
    long = "y" * 299 + "z" + "w" * 5
    assert _Visible(problem_html(RuntimeError(long), hint=False)).text == "⚠ " + "y" * 299 + "z…"
    assert _Visible(problem_html("x" * 301, hint=False)).text == f"⚠ {exact}…"


def test_live_view_layout_matches_its_figure():
    side, below = ipywidgets.Label("side"), ipywidgets.Label("below")
    view = DialView(300, 200, side=[side], below=[below])
    assert view.image.format == "png" and view.png().startswith(PNG_MAGIC)
    layout = view.image.layout
    assert (layout.width, layout.min_width, layout.height, layout.min_height) == ("300px", "300px", "200px", "200px")
    controls, picture, *rest = view.widget.children
    assert controls.children == (view.slider,)
    image, side_box = picture.children
    assert image is view.image and side_box.children == (side,)
    # the side column keeps a gap from the picture: a valid CSS margin with a positive left side
    margin = side_box.layout.margin.split()
    assert len(margin) == 4 and all(re.fullmatch(r"\d+(px)?", m, re.I) for m in margin)
    assert int(re.match(r"\d+", margin[3])[0]) > 0
    assert rest == [below, view.problem]
    assert view.problem.layout.width == "300px"
    # a view wider than the notebook: its error line stays within the notebook's width
    assert DialView(900, 200).problem.layout.width == f"{NOTEBOOK_WIDTH_PX}px"
    assert DialView(200, 300).image.layout.width == "200px"
    assert DialView().widget.children[1].children[1].children == ()


def test_a_new_view_drew_once_and_shows_no_problem():
    view = DialView()
    assert view.render_count == 1
    assert view.last_error is None and view.problem.value == ""
    assert not view.is_empty()
    assert view._saved_text().startswith("<DialView:") and EMPTY_VIEW_MARK not in view._saved_text()
    assert EmptyDialView()._saved_text().startswith(f"<EmptyDialView ({EMPTY_VIEW_MARK}):")


def test_live_view_bundle_has_the_current_picture_and_saved_text():
    view = DialView()
    view.slider.value = 0.5
    bundle = view._repr_mimebundle_()
    assert bundle["text/plain"] == view._saved_text()
    assert base64.b64decode(bundle["image/png"], validate=True) == view.png()  # plain base64, nothing else
    assert bundle[WIDGET_MIME]["model_id"] == view.widget.model_id


def test_html_view_layout_and_bundle():
    view = EchoView(width_px=500, min_height_px=120)
    assert (view.html.layout.width, view.html.layout.min_height) == ("500px", "120px")
    assert view.problem.layout.width == "500px"
    assert EchoView(width_px=1000).problem.layout.width == f"{NOTEBOOK_WIDTH_PX}px"
    view.box.value = "a & b"
    bundle = view._repr_mimebundle_()
    assert bundle["text/html"] == view.html.value == "<b>a & b</b>"
    assert bundle["text/plain"] == view.describe() == view._saved_text()
    assert bundle["text/plain"].startswith("<EchoView:")
    assert WIDGET_MIME in bundle


def test_a_failed_redraw_is_shown_and_cleared_by_the_next_good_one():
    view = DialView()
    view.slider.value = 0.5
    good = view.png()
    view.slider.value = 0.95  # draw raises: shown under the view, the last good picture stays
    assert isinstance(view.last_error, ValueError) and "0.95" in str(view.last_error)
    assert view.problem.value == problem_html(view.last_error)
    assert "value 0.95 is above 0.9" in _Visible(view.problem.value).text
    assert view.png() == good and view.state.value == 0.95
    view.slider.value = -0.5  # works again: the message goes
    assert view.last_error is None and view.problem.value == ""
    assert view.png() != good


def test_hold_redraws_once_and_only_after_a_change():
    view = DialView()
    renders = view.render_count
    with view.hold():
        pass
    assert view.render_count == renders  # nothing changed: no redraw
    with view.hold():
        view.slider.value = 0.25
        view.slider.value = 0.5
        assert view.render_count == renders
    assert view.render_count == renders + 1


def test_link_to_a_missing_field_names_the_state_and_the_field():
    view = DialView()
    with pytest.raises(AttributeError, match=r"DialState has no field 'valeu'"):
        view.link(ipywidgets.FloatSlider(), "valeu")


def test_last_render_ms_is_the_time_of_the_last_redraw(monkeypatch):
    view = DialView()
    clock = [1000.0]
    monkeypatch.setattr(widget_base, "time", types.SimpleNamespace(perf_counter=lambda: clock[0]))
    draw = view.draw

    def slow_draw():
        clock[0] += 0.040
        draw()

    monkeypatch.setattr(view, "draw", slow_draw)
    view.slider.value = 0.5
    assert view.last_render_ms == pytest.approx(40.0, rel=1e-6)
