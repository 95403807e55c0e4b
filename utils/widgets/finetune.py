"""Notebook 10's views: the LoRA rank slider (trainable parameters and memory) and the answers of
the pretrained and the instruction-tuned model side by side."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import ipywidgets as widgets

from ..data import CharTokenizer
from ..instruct import TASKS, Example, answer, format_prompt
from ..lora import BYTES_FROZEN, MODEL_SHAPES, lora_parameter_count, training_memory_bytes
from ..models import GPT
from .base import HtmlView, LiveView, clean_text, fixed_layout, new_figure

INTRODUCED_IN = "10"

RANKS = (1, 2, 4, 8, 16, 32, 64, 128, 256)


def human(n: float, unit: str = "") -> str:
    """1234567 -> '1.23 M'; billions are 'B' for counts and 'GB' for bytes."""
    for factor, prefix in ((1e12, "T"), (1e9, "G" if unit else "B"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= factor:
            return f"{n / factor:.3g} {prefix}{unit}"
    return f"{n:.3g} {unit}".rstrip()


@dataclass
class LoRAState:
    model: str = "our Shakespeare GPT"
    rank: int = 8
    attention: bool = True   # adapters on the attention matrices
    mlp: bool = True         # adapters on the MLP matrices


class LoRARankView(LiveView):
    """Pick a model and a LoRA rank: trainable parameters and training memory, LoRA vs full.

    ``view.numbers`` holds what is drawn (for tests and for the text beside the picture). In tests:
    set ``view.model_box``, ``view.rank_slider``, ``view.attention_box`` or ``view.mlp_box``.
    """

    def __init__(self, model: str = LoRAState.model, rank: int = LoRAState.rank):
        if model not in MODEL_SHAPES:
            raise ValueError(f"unknown model {model!r}; choose one of {list(MODEL_SHAPES)}.")
        if rank not in RANKS:
            raise ValueError(f"rank must be one of {RANKS}, got {rank!r}.")
        self.state = LoRAState(model=model, rank=rank)
        fig = new_figure(500, 240)
        self.ax_params, self.ax_memory = fig.subplots(1, 2)
        # Dots, not bars: on a log axis a bar's length depends on where the axis starts, not on the value.
        colors = ["#8d99ae", "#e76f51"]
        self.param_dots = self.ax_params.scatter([1, 1], [0, 1], s=70, c=colors, zorder=3)
        self.memory_dots = self.ax_memory.scatter([1, 1], [0, 1], s=70, c=colors, zorder=3)
        self.param_text = [self.ax_params.text(0, i, "", va="center", fontsize=8) for i in range(2)]
        self.memory_text = [self.ax_memory.text(0, i, "", va="center", fontsize=8) for i in range(2)]
        self.ax_params.set(xscale="log", title="trainable parameters", xlabel="parameters (log scale)")
        self.ax_memory.set(xscale="log", title="training memory", xlabel="bytes (log scale)")
        for ax, labels in ((self.ax_params, ["full fine-tuning", "LoRA"]), (self.ax_memory, [])):
            ax.set_yticks([0, 1], labels)
            ax.set_ylim(-0.6, 1.6)
            ax.grid(axis="x", alpha=0.3)
            ax.grid(axis="y", visible=False)
        fig.tight_layout()
        self.summary = widgets.HTML(layout=fixed_layout(250))
        self.model_box = self.link(widgets.Dropdown(options=list(MODEL_SHAPES), value=model, description="model",
                                                    layout=fixed_layout(270)), "model")
        self.rank_slider = self.link(widgets.SelectionSlider(options=RANKS, value=rank, description="rank r",
                                                             layout=fixed_layout(300)), "rank")
        self.attention_box = self.link(widgets.Checkbox(value=True, description="attention", indent=False,
                                                        layout=fixed_layout(90)), "attention")
        self.mlp_box = self.link(widgets.Checkbox(value=True, description="MLP", indent=False,
                                                  layout=fixed_layout(60)), "mlp")
        controls = [self.model_box, self.rank_slider, self.attention_box, self.mlp_box]
        super().__init__(fig, controls, side=[self.summary])

    @property
    def numbers(self) -> dict:
        s = self.state
        shape = MODEL_SHAPES[s.model]
        chosen = tuple(m for m in shape.matrices
                       if (m in shape.attention and s.attention) or (m not in shape.attention and s.mlp))
        lora = lora_parameter_count(shape, s.rank, chosen) if chosen else 0
        return {"model": s.model, "rank": s.rank, "matrices": chosen, "total": shape.parameters,
                "full_trainable": shape.parameters, "lora_trainable": lora,
                "full_memory": training_memory_bytes(shape.parameters, shape.parameters),
                "lora_memory": training_memory_bytes(shape.parameters + lora, lora),
                "adapter_file": BYTES_FROZEN * lora, "source": shape.source}

    def draw(self) -> None:
        n = self.numbers
        for dots, texts, values, unit, ax in (
                (self.param_dots, self.param_text, (n["full_trainable"], n["lora_trainable"]), "", self.ax_params),
                (self.memory_dots, self.memory_text, (n["full_memory"], n["lora_memory"]), "B", self.ax_memory)):
            dots.set_offsets([[max(value, 1), row] for row, value in enumerate(values)])
            for row, (text, value) in enumerate(zip(texts, values)):
                text.set_position((max(value, 1), row + 0.3))
                text.set_text(human(value, unit) if value else "none")
                text.set_horizontalalignment("center")
            ax.set_xlim(max(1, min(v for v in values if v) / 20) if any(values) else 1, max(values) * 40)
        share = 100 * n["lora_trainable"] / n["total"]
        where = ", ".join(n["matrices"]) or "no matrices: tick attention or MLP"
        self.summary.value = (
            f"<b>{html.escape(n['model'])}</b>: {human(n['total'])} parameters<br>"
            f"LoRA rank {n['rank']} on {html.escape(where)} in each of "
            f"{MODEL_SHAPES[n['model']].n_layer} layers<br>"
            f"trainable: <b>{n['lora_trainable']:,}</b> ({share:.3g} % of full fine-tuning)<br>"
            f"memory: {human(n['lora_memory'], 'B')} vs {human(n['full_memory'], 'B')}<br>"
            f"adapter file (fp16): {human(n['adapter_file'], 'B')}<br>"
            f"<small>16 bytes per trained, 2 per frozen parameter; activations not counted. "
            f"Sizes: {html.escape(n['source'])}</small>")


@dataclass
class BeforeAfterState:
    task: str = TASKS[0]
    text: str = ""


class BeforeAfterView(HtmlView):
    """One prompt, two models: the pretrained model's answer beside the instruction-tuned one's.

    Choose a held-out example (its expected answer is shown too) or type your own text and pick a
    task. In tests: set ``view.example.value``, ``view.task.value`` or ``view.text.value`` and read
    ``view.answers`` and ``view.html.value``.
    """

    def __init__(self, models: Mapping[str, GPT], tokenizer: CharTokenizer, examples: Sequence[Example]):
        if len(models) != 2 or not all(isinstance(m, GPT) for m in models.values()):
            raise ValueError("models must map two names to two GPTs, e.g. {'before': base, 'after': tuned}.")
        if not examples:
            raise ValueError("examples is empty: pass some held-out instruction examples.")
        self.models, self.tokenizer = dict(models), tokenizer
        self.examples = list(examples)
        first = self.examples[0]
        self.state = BeforeAfterState(task=first.instruction, text=self._text_of(first))
        labels = [(f"{i + 1}. {e.instruction} {self._text_of(e)[:40]}", i) for i, e in enumerate(self.examples)]
        self.example = widgets.Dropdown(options=labels, value=0, description="example", layout=fixed_layout(520))
        self.task = self.link(widgets.Dropdown(options=TASKS, value=self.state.task, description="task",
                                               layout=fixed_layout(300)), "task")
        self.text = self.link(widgets.Text(value=self.state.text, description="text", continuous_update=False,
                                           layout=fixed_layout(520)), "text")
        self.example.observe(self.guarded(self._on_example), names="value")
        super().__init__([self.example, widgets.HBox([self.task]), self.text])

    @staticmethod
    def _text_of(example: Example) -> str:
        return example.prompt.split("\nText: ", 1)[1].split("\nAnswer: ", 1)[0]

    def _on_example(self, change: dict) -> None:
        example = self.examples[change["new"]]
        with self.hold():  # set both boxes (their links update the state), answer once
            self.task.value, self.text.value = example.instruction, self._text_of(example)
            self.refresh()

    @property
    def prompt(self) -> str:
        return format_prompt(self.state.task, self.state.text)

    def expected(self) -> str | None:
        """The reference answer when the prompt is one of the examples, else None."""
        return next((e.response for e in self.examples if e.prompt == self.prompt), None)

    def draw(self) -> None:
        unknown = sorted(set(self.state.text) - set(self.tokenizer.known(self.state.text)))
        if unknown:
            self.answers = {}
            self.html.value = (f"<p>The model only knows the characters of the plays; remove "
                               f"{html.escape(clean_text(' '.join(unknown)))} from the text.</p>")
        else:
            self.answers = {name: answer(m, self.tokenizer, self.prompt) for name, m in self.models.items()}
            self.html.value = self._table()

    def _table(self) -> str:
        cell = "padding:6px 10px;border:1px solid #ccc;vertical-align:top;font-family:monospace;white-space:pre-wrap"
        head = "".join(f"<th style='{cell};background:#f0f0f0'>{html.escape(n)}</th>" for n in self.answers)
        row = "".join(f"<td style='{cell};width:50%'>{html.escape(a) or '(empty)'}</td>" for a in self.answers.values())
        expected = self.expected()
        note = (f"<p>expected answer: <code>{html.escape(expected)}</code></p>" if expected is not None
                else "<p>your own text: no reference answer</p>")
        return (f"<p>prompt:</p><pre style='margin:0 0 6px 0'>{html.escape(self.prompt)}</pre>"
                f"<table style='border-collapse:collapse;width:100%'><tr>{head}</tr><tr>{row}</tr></table>{note}")

    def describe(self) -> str:
        return f"<BeforeAfterView: {self.answers}>"
