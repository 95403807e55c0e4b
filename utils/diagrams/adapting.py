"""Diagrams of notebooks 10–12: LoRA (10), the training pipeline from pretraining to RLHF and DPO
(11), and retrieval-augmented generation (12)."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .style import BODY, GREY, INK, ROLE, SMALL, TITLE, arrow, box, canvas, node, text, tint

INTRODUCED_IN = "10"


def lora(d_in: int = 128, d_out: int = 128, rank: int = 4) -> Figure:
    """y = W x + (α/r)·B A x: the frozen W beside the small trainable A (r × d_in) and B (d_out × r),
    B starting at zero; the parameter counts for ``d_in``, ``d_out``, ``rank`` written on it."""
    if not all(isinstance(v, int) and v > 0 for v in (d_in, d_out, rank)) or rank > min(d_in, d_out):
        raise ValueError(f"d_in, d_out, rank must be positive integers with rank ≤ min(d_in, d_out), "
                         f"got {d_in}, {d_out}, {rank}.")
    full, low = d_in * d_out, rank * (d_in + d_out)
    fig, ax = canvas(420, title="LoRA: keep W frozen, learn a small low-rank change B·A beside it")
    box(ax, (80, 210), (90, 50), f"x\n($d_{{in}}$ = {d_in})", ROLE["input"], fontsize=SMALL)
    # the frozen weight: a big square
    ax.add_patch(Rectangle((260, 245), 150, 130, facecolor=tint(ROLE["frozen"], 0.3), edgecolor=ROLE["frozen"],
                           lw=1.6, hatch="xx", zorder=1))
    text(ax, (335, 310), f"W\n{d_out} × {d_in}\nfrozen", size=BODY, weight="bold",
         bbox={"facecolor": "white", "edgecolor": "none", "pad": 2})
    # the trainable pair: A is r rows, B is r columns
    ax.add_patch(Rectangle((225, 95), 110, 20, facecolor=tint(ROLE["learned"], 0.6), edgecolor=ROLE["learned"],
                           lw=1.6))
    text(ax, (280, 78), f"A: {rank} × {d_in}", size=SMALL)
    ax.add_patch(Rectangle((400, 60), 20, 100, facecolor=tint(ROLE["learned"], 0.25), edgecolor=ROLE["learned"],
                           lw=1.6))
    text(ax, (455, 105), f"B: {d_out} × {rank}\nstarts at 0", size=SMALL, ha="left")
    arrow(ax, (125, 220), (255, 300))
    arrow(ax, (125, 200), (220, 110))
    arrow(ax, (338, 105), (396, 105))
    text(ax, (367, 122), f"r = {rank}", size=SMALL)
    node(ax, (600, 210), 18, "+", ROLE["operation"])
    arrow(ax, (413, 310), (585, 222))
    text(ax, (510, 300), "$Wx$", size=BODY)
    arrow(ax, (423, 140), (585, 200))
    text(ax, (545, 150), "$\\frac{\\alpha}{r}\\,BAx$", size=BODY)
    arrow(ax, (618, 210), (700, 210))
    box(ax, (760, 210), (100, 50), "y", ROLE["output"])
    text(ax, (425, 25), f"Trainable: r·(d_in + d_out) = {rank}·({d_in} + {d_out}) = {low:,} numbers instead of "
         f"{d_in}·{d_out} = {full:,} ({100 * low / full:.1f} %).\nAfter training, W + (α/r)·BA is one matrix again: "
         "the merged model is as fast as the original.",
         size=SMALL, color=INK)
    text(ax, (690, 345), "hatched grey: frozen\norange: trained", size=SMALL, color=GREY)
    return fig


def training_pipeline() -> Figure:
    """Pretraining → SFT → reward model → RL with a KL leash (InstructGPT, Ouyang et al. 2022), and
    DPO, which trains on the same preference pairs without a reward model or sampling."""
    fig, ax = canvas(340, title="From a text predictor to an assistant: the training pipeline")
    stages = (
        (92, "pretraining", "predict the next token\non lots of text", "notebook 09", ROLE["input"]),
        (305, "SFT", "imitate answers\nwritten by people", "notebook 10", ROLE["learned"]),
        (520, "reward model", "people rank answers;\nlearn to score them", "notebook 11 §3", ROLE["operation"]),
        (745, "RL (PPO)", "maximise reward,\nKL leash to SFT", "notebook 11 §4", ROLE["output"]),
    )
    y = 215
    for i, (x, name, what, where, color) in enumerate(stages):
        box(ax, (x, y), (160, 100), "", color, fill=0.2)
        text(ax, (x, y + 30), name, size=TITLE, weight="bold")
        text(ax, (x, y - 12), what, size=SMALL)
        text(ax, (x, y + 64), where, size=SMALL, color=GREY)
        if i:
            arrow(ax, (stages[i - 1][0] + 81, y), (x - 81, y))
    text(ax, (198, y + 16), "base\nmodel", size=SMALL, color=GREY)
    # DPO replaces the last two stages: from SFT and the same preference pairs, straight to a tuned model
    box(ax, (632, 75), (385, 62), "DPO (notebook 11 §7): the same preference pairs,\n"
        "no reward model, no sampling; replaces both steps above", ROLE["highlight"], fontsize=SMALL)
    arrow(ax, (305, y - 51), (437, 75), color=ROLE["highlight"], dashed=True)
    ax.plot([440, 440, 825, 825], [155, 150, 150, 155], color=ROLE["highlight"], lw=1.2)
    ax.plot([632, 632], [150, 107], color=ROLE["highlight"], lw=1.2)
    return fig


def rag(k: int = 3) -> Figure:
    """Retrieval-augmented generation as notebook 12 builds it: once, embed every passage; per
    question, embed it, take the ``k`` passages with the highest cosine similarity, paste them
    into the prompt, and let the model answer from them."""
    if not isinstance(k, int) or not 1 <= k <= 10:
        raise ValueError(f"k (passages retrieved) must be an integer from 1 to 10, got {k!r}.")
    fig, ax = canvas(400, title="Retrieval-augmented generation: look it up, then answer")
    # once: the index
    text(ax, (20, 330), "once", size=BODY, weight="bold", ha="left", color=GREY)
    box(ax, (175, 300), (150, 44), "the plays, cut into\npassages (≤ 400 chars)", ROLE["input"], fontsize=SMALL)
    arrow(ax, (252, 300), (283, 300))
    box(ax, (360, 300), (150, 44), "embed\n(MiniLM: 384 numbers)", ROLE["learned"], fontsize=SMALL)
    arrow(ax, (437, 300), (462, 300))
    for i in range(4):  # the index: one vector per passage
        ax.add_patch(Rectangle((465, 318 - i * 14), 110, 10, facecolor=tint(ROLE["memory"], 0.5),
                               edgecolor=ROLE["memory"], lw=0.8))
    text(ax, (520, 258), "index: one vector\nper passage", size=SMALL)
    # per question
    text(ax, (20, 170), "per\nquestion", size=BODY, weight="bold", ha="left", color=GREY)
    box(ax, (175, 170), (150, 44), "question", ROLE["input"])
    arrow(ax, (252, 170), (283, 170))
    box(ax, (360, 170), (150, 44), "embed\n(same model)", ROLE["learned"], fontsize=SMALL)
    arrow(ax, (437, 170), (458, 170))
    box(ax, (520, 170), (120, 56), f"top {k} by\ncosine similarity", ROLE["operation"], fontsize=SMALL)
    arrow(ax, (520, 258 - 22), (520, 200), color=ROLE["memory"])
    arrow(ax, (582, 170), (643, 170))
    box(ax, (725, 170), (160, 90), f"prompt:\n{k} passages\n+ the question", ROLE["operation"], fontsize=SMALL)
    arrow(ax, (725, 124), (725, 96))
    box(ax, (725, 70), (160, 44), "LLM → answer\nthat cites its passage", ROLE["output"], fontsize=SMALL)
    text(ax, (330, 70), "The model answers from the text it is given,\nnot only from what it remembers.",
         size=SMALL, color=GREY)
    return fig
