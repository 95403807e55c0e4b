"""Notebook 10's views: the LoRA rank slider (trainable parameters and memory) and the answers of
the pretrained and the instruction-tuned model side by side."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import ipywidgets as widgets
import torch

from ..data import CharTokenizer
from ..figures import set_limits
from ..i18n import t
from ..instruct import TASKS, Example, answer, format_prompt
from ..lora import BYTES_FROZEN, MODEL_SHAPES, lora_parameter_count, training_memory_bytes
from ..models import GPT
from .base import HtmlView, LiveView, clean_text, fixed_layout, new_figure

INTRODUCED_IN = "10"

RANKS = (1, 2, 4, 8, 16, 32, 64, 128, 256)


def human(n: float, unit: str = "") -> str:
    """1234567 -> '1.23 M'; billions are 'B' for counts and 'GB' for bytes (``unit="B"``).
    The prefixes and the unit are in the language in use ('1.23 млн', '350 ГБ' in Russian)."""
    kind = "bytes" if unit else "count"
    for factor, prefix in ((1e12, "T"), (1e9, "G" if unit else "B"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= factor:
            return f"{n / factor:.3g} " + t(f"finetune.{kind}.{prefix}{unit}")
    return f"{n:.3g} {t('finetune.bytes.B') if unit else ''}".rstrip()


# Names and sources the view translates; every other model name and source is shown as it is (data).
MODEL_LABELS = {"our Shakespeare GPT": "finetune.lora.ours", "GPT-2 small": "finetune.lora.gpt2_small"}
SOURCE_LABELS = {"our Shakespeare GPT": "finetune.lora.source_ours", "GPT-2 small": "finetune.lora.source_gpt2"}


def model_label(name: str) -> str:
    """The name of a model of ``MODEL_SHAPES`` as the learner reads it."""
    return t(MODEL_LABELS[name]) if name in MODEL_LABELS else name


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
        self.ax_params.set(xscale="log", title=t("finetune.lora.params_title"), xlabel=t("finetune.lora.params_axis"))
        self.ax_memory.set(xscale="log", title=t("finetune.lora.memory_title"), xlabel=t("finetune.lora.memory_axis"))
        for ax, labels in ((self.ax_params, [t("finetune.lora.full"), "LoRA"]), (self.ax_memory, [])):
            ax.set_yticks([0, 1], labels)
            ax.set_ylim(-0.6, 1.6)
            ax.grid(axis="x", alpha=0.3)
            ax.grid(axis="y", visible=False)
        fig.tight_layout()
        self.summary = widgets.HTML(layout=fixed_layout(250))
        self.model_box = self.link(widgets.Dropdown(options=[(model_label(m), m) for m in MODEL_SHAPES], value=model,
                                                    description=t("finetune.lora.model"),
                                                    layout=fixed_layout(270)), "model")
        self.rank_slider = self.link(widgets.SelectionSlider(options=RANKS, value=rank, description=t("finetune.lora.rank"),
                                                             layout=fixed_layout(300)), "rank")
        self.attention_box = self.link(widgets.Checkbox(value=True, description=t("finetune.lora.attention"), indent=False,
                                                        layout=fixed_layout(90)), "attention")
        self.mlp_box = self.link(widgets.Checkbox(value=True, description="MLP", indent=False,
                                                  layout=fixed_layout(60)), "mlp")
        controls = [self.model_box, self.rank_slider, self.attention_box, self.mlp_box]
        super().__init__(fig, controls, side=[self.summary])

    @property
    def numbers(self) -> dict:
        return self._numbers(self.state.rank)

    def _numbers(self, rank: int) -> dict:
        s = self.state
        shape = MODEL_SHAPES[s.model]
        chosen = tuple(m for m in shape.matrices
                       if (m in shape.attention and s.attention) or (m not in shape.attention and s.mlp))
        lora = lora_parameter_count(shape, rank, chosen) if chosen else 0
        return {"model": s.model, "rank": rank, "matrices": chosen, "total": shape.parameters,
                "full_trainable": shape.parameters, "lora_trainable": lora,
                "full_memory": training_memory_bytes(shape.parameters, shape.parameters),
                "lora_memory": training_memory_bytes(shape.parameters + lora, lora),
                "adapter_file": BYTES_FROZEN * lora, "source": shape.source}

    def draw(self) -> None:
        n = self.numbers
        # the x range fits the smallest rank too: moving the rank slider moves the dot, not the scale
        smallest = self._numbers(RANKS[0])
        for dots, texts, values, lowest, unit, ax in (
                (self.param_dots, self.param_text, (n["full_trainable"], n["lora_trainable"]),
                 smallest["lora_trainable"], "", self.ax_params),
                (self.memory_dots, self.memory_text, (n["full_memory"], n["lora_memory"]),
                 smallest["lora_memory"], "B", self.ax_memory)):
            dots.set_offsets([[max(value, 1), row] for row, value in enumerate(values)])
            for row, (text, value) in enumerate(zip(texts, values)):
                text.set_position((max(value, 1), row + 0.3))
                text.set_text(human(value, unit) if value else t("finetune.lora.none"))
                text.set_horizontalalignment("center")
            low = min(v for v in (*values, lowest) if v) if any(values) else 20
            set_limits(ax, xlim=(max(1, low / 20), max(values) * 40))
        share = 100 * n["lora_trainable"] / n["total"]
        where = ", ".join(n["matrices"]) or t("finetune.lora.no_matrices")
        source = t(SOURCE_LABELS[n["model"]]) if n["model"] in SOURCE_LABELS else n["source"]
        self.summary.value = t(
            "finetune.lora.summary", model=html.escape(model_label(n["model"])), total=human(n["total"]),
            rank=n["rank"], where=html.escape(where), layers=MODEL_SHAPES[n["model"]].n_layer,
            trainable=n["lora_trainable"], share=share, lora_memory=human(n["lora_memory"], "B"),
            full_memory=human(n["full_memory"], "B"), adapter=human(n["adapter_file"], "B"),
            source=html.escape(source))


def weights_hash(model: GPT) -> str:
    """A hash of everything a model's answers depend on: the bytes of its ``state_dict`` (names,
    shapes, dtypes, values; about 3 ms for the 0.8M-parameter Shakespeare GPT: SHA-256, which most
    CPUs of the last years compute in hardware, twice as fast as BLAKE2 here)."""
    digest = hashlib.sha256()
    for name, tensor in model.state_dict().items():
        digest.update(f"{name}{tuple(tensor.shape)}{tensor.dtype}".encode())
        digest.update(tensor.detach().cpu().contiguous().reshape(-1).view(torch.uint8).numpy())  # no copy
    return digest.hexdigest()


@dataclass
class BeforeAfterState:
    task: str = TASKS[0]
    text: str = ""


class BeforeAfterView(HtmlView):
    """One prompt, two models: the pretrained model's answer beside the instruction-tuned one's.

    Choose a held-out example (its expected answer is shown too) or type your own text and pick a
    task. In tests: set ``view.example.value``, ``view.task.value`` or ``view.text.value`` and read
    ``view.answers`` and ``view.html.value``.

    Answers are greedy, so one model gives one prompt one answer: each is kept, keyed by the prompt
    and a hash of the model's weights (its ``state_dict``), so a model trained or loaded further
    after the view was built answers afresh. Building the view answers every example once (two
    answers take 25–100 ms on a busy 2-core machine, by machine; once, in the cell), so choosing
    one shows at once; a text the learner types is answered when typed.
    """

    CACHE_SIZE = 256  # answers kept (the oldest go first): the examples and a learner's own texts

    def __init__(self, models: Mapping[str, GPT], tokenizer: CharTokenizer, examples: Sequence[Example]):
        if len(models) != 2 or not all(isinstance(m, GPT) for m in models.values()):
            raise ValueError("models must map two names to two GPTs, e.g. {'before': base, 'after': tuned}.")
        if not examples:
            raise ValueError("examples is empty: pass some held-out instruction examples.")
        self.models, self.tokenizer = dict(models), tokenizer
        self._answers: dict[tuple[str, str], str] = {}  # (weights hash, prompt) -> greedy answer
        self.examples = list(examples)
        first = self.examples[0]
        self.state = BeforeAfterState(task=first.instruction, text=self._text_of(first))
        labels = [(f"{i + 1}. {e.instruction} {self._text_of(e)[:40]}", i) for i, e in enumerate(self.examples)]
        self.example = widgets.Dropdown(options=labels, value=0, description=t("finetune.before_after.example"), layout=fixed_layout(520))
        self.task = self.link(widgets.Dropdown(options=TASKS, value=self.state.task, description=t("finetune.before_after.task"),
                                               layout=fixed_layout(300)), "task")
        self.text = self.link(widgets.Text(value=self.state.text, description=t("finetune.before_after.text"), continuous_update=False,
                                           layout=fixed_layout(520)), "text")
        self.example.observe(self.guarded(self._on_example), names="value")
        super().__init__([self.example, widgets.HBox([self.task]), self.text])
        hashes = {name: weights_hash(m) for name, m in self.models.items()}
        for example in self.examples[:self.CACHE_SIZE // 2]:  # (more would push the first ones out)
            if self.tokenizer.known(example.prompt) == example.prompt:  # else draw() explains, answers nothing
                for name, m in self.models.items():
                    self._answer(m, example.prompt, hashes[name])

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
            self.html.value = t("finetune.before_after.unknown", chars=html.escape(clean_text(" ".join(unknown))))
        else:
            self.answers = {name: self._answer(m, self.prompt) for name, m in self.models.items()}
            self.html.value = self._table()

    def _answer(self, model: GPT, prompt: str, weights: str | None = None) -> str:
        """``answer(model, tokenizer, prompt)``, kept for the next time these weights see this prompt.
        ``weights``: the model's :func:`weights_hash`, if known."""
        key = (weights or weights_hash(model), prompt)
        if key not in self._answers:
            if len(self._answers) >= self.CACHE_SIZE:
                del self._answers[next(iter(self._answers))]
            self._answers[key] = answer(model, self.tokenizer, prompt)
        return self._answers[key]

    def _table(self) -> str:
        cell = "padding:6px 10px;border:1px solid #ccc;vertical-align:top;font-family:monospace;white-space:pre-wrap"
        head = "".join(f"<th style='{cell};background:#f0f0f0'>{html.escape(n)}</th>" for n in self.answers)
        row = "".join(f"<td style='{cell};width:50%'>{html.escape(a) or t('finetune.before_after.empty')}</td>" for a in self.answers.values())
        expected = self.expected()
        note = (t("finetune.before_after.expected", answer=html.escape(expected)) if expected is not None
                else t("finetune.before_after.own_text"))
        return (f"<p>{t('finetune.before_after.prompt')}</p><pre style='margin:0 0 6px 0'>{html.escape(self.prompt)}</pre>"
                f"<table style='border-collapse:collapse;width:100%'><tr>{head}</tr><tr>{row}</tr></table>{note}")

    def describe(self) -> str:
        return f"<BeforeAfterView: {self.answers}>"
