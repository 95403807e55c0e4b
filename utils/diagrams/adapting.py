"""Diagrams of notebooks 10–12: LoRA (10), the training pipeline from pretraining to RLHF and DPO
(11), and retrieval-augmented generation (12)."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .. import i18n
from .style import BODY, GREY, INK, ROLE, SMALL, TITLE, arrow, box, canvas, node, text, tint

INTRODUCED_IN = "10"


def lora(d_in: int = 128, d_out: int = 128, rank: int = 4) -> Figure:
    """y = W x + (α/r)·B A x: the frozen W beside the small trainable A (r × d_in) and B (d_out × r),
    B starting at zero; the parameter counts for ``d_in``, ``d_out``, ``rank`` written on it."""
    if not all(isinstance(v, int) and v > 0 for v in (d_in, d_out, rank)) or rank > min(d_in, d_out):
        raise ValueError(f"d_in, d_out, rank must be positive integers with rank ≤ min(d_in, d_out), "
                         f"got {d_in}, {d_out}, {rank}.")
    full, low = d_in * d_out, rank * (d_in + d_out)
    fig, ax = canvas(420, title=i18n.t("diagram.adapting.lora"))
    box(ax, (80, 210), (90, 50), f"x\n($d_{{in}}$ = {d_in})", ROLE["input"], fontsize=SMALL)
    # the frozen weight: a big square
    ax.add_patch(Rectangle((260, 245), 150, 130, facecolor=tint(ROLE["frozen"], 0.3), edgecolor=ROLE["frozen"],
                           lw=1.6, hatch="xx", zorder=1))
    text(ax, (335, 310), i18n.t("diagram.adapting.lora.w", d_out=d_out, d_in=d_in), size=BODY, weight="bold",
         bbox={"facecolor": "white", "edgecolor": "none", "pad": 2})
    # the trainable pair: A is r rows, B is r columns
    ax.add_patch(Rectangle((225, 95), 110, 20, facecolor=tint(ROLE["learned"], 0.6), edgecolor=ROLE["learned"],
                           lw=1.6))
    text(ax, (280, 78), f"A: {rank} × {d_in}", size=SMALL)
    ax.add_patch(Rectangle((400, 60), 20, 100, facecolor=tint(ROLE["learned"], 0.25), edgecolor=ROLE["learned"],
                           lw=1.6))
    text(ax, (455, 105), i18n.t("diagram.adapting.lora.b", d_out=d_out, rank=rank), size=SMALL, ha="left")
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
    text(ax, (425, 25), i18n.t("diagram.adapting.lora.count", rank=rank, d_in=d_in, d_out=d_out, low=low, full=full,
                               percent=100 * low / full),
         size=SMALL, color=INK)
    text(ax, (690, 345), i18n.t("diagram.adapting.lora.legend"), size=SMALL, color=GREY)
    return fig


def training_pipeline() -> Figure:
    """Pretraining → SFT → reward model → RL with a KL leash (InstructGPT, Ouyang et al. 2022), and
    DPO, which trains on the same preference pairs without a reward model or sampling."""
    fig, ax = canvas(340, title=i18n.t("diagram.adapting.pipeline"))
    notebook = "diagram.adapting.pipeline.notebook"
    stages = (
        (92, i18n.t("diagram.adapting.pipeline.pretraining"), i18n.t("diagram.adapting.pipeline.pretraining_what"),
         i18n.t(notebook, where="09"), ROLE["input"]),
        (305, "SFT", i18n.t("diagram.adapting.pipeline.sft_what"), i18n.t(notebook, where="10"), ROLE["learned"]),
        (520, i18n.t("diagram.adapting.pipeline.reward_model"), i18n.t("diagram.adapting.pipeline.reward_model_what"),
         i18n.t(notebook, where="11 §3"), ROLE["operation"]),
        (745, "RL (PPO)", i18n.t("diagram.adapting.pipeline.rl_what"), i18n.t(notebook, where="11 §4"), ROLE["output"]),
    )
    y = 215
    for i, (x, name, what, where, color) in enumerate(stages):
        box(ax, (x, y), (160, 100), "", color, fill=0.2)
        # a name on two lines (a longer translation) gets a smaller font, so it stays inside its box
        text(ax, (x, y + 30), name, size=TITLE if "\n" not in name else BODY, weight="bold")
        text(ax, (x, y - 12), what, size=SMALL)
        text(ax, (x, y + 64), where, size=SMALL, color=GREY)
        if i:
            arrow(ax, (stages[i - 1][0] + 81, y), (x - 81, y))
    text(ax, (198, y + 16), i18n.t("diagram.adapting.pipeline.base_model"), size=SMALL, color=GREY)
    # DPO replaces the last two stages: from SFT and the same preference pairs, straight to a tuned model
    box(ax, (632, 75), (385, 62), i18n.t("diagram.adapting.pipeline.dpo"), ROLE["highlight"], fontsize=SMALL)
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
    fig, ax = canvas(400, title=i18n.t("diagram.adapting.rag"))
    # once: the index
    text(ax, (20, 330), i18n.t("diagram.adapting.rag.once"), size=BODY, weight="bold", ha="left", color=GREY)
    box(ax, (175, 300), (150, 44), i18n.t("diagram.adapting.rag.passages"), ROLE["input"], fontsize=SMALL)
    arrow(ax, (252, 300), (283, 300))
    box(ax, (360, 300), (150, 44), i18n.t("diagram.adapting.rag.embed"), ROLE["learned"], fontsize=SMALL)
    arrow(ax, (437, 300), (462, 300))
    for i in range(4):  # the index: one vector per passage
        ax.add_patch(Rectangle((465, 318 - i * 14), 110, 10, facecolor=tint(ROLE["memory"], 0.5),
                               edgecolor=ROLE["memory"], lw=0.8))
    text(ax, (520, 258), i18n.t("diagram.adapting.rag.index"), size=SMALL)
    # per question
    text(ax, (20, 170), i18n.t("diagram.adapting.rag.per_question"), size=BODY, weight="bold", ha="left", color=GREY)
    box(ax, (175, 170), (150, 44), i18n.t("diagram.adapting.rag.question"), ROLE["input"])
    arrow(ax, (252, 170), (283, 170))
    box(ax, (360, 170), (150, 44), i18n.t("diagram.adapting.rag.embed_again"), ROLE["learned"], fontsize=SMALL)
    arrow(ax, (437, 170), (458, 170))
    box(ax, (520, 170), (120, 56), i18n.t("diagram.adapting.rag.top_k", k=k), ROLE["operation"], fontsize=SMALL)
    arrow(ax, (520, 258 - 22), (520, 200), color=ROLE["memory"])
    arrow(ax, (582, 170), (643, 170))
    box(ax, (725, 170), (160, 90), i18n.t("diagram.adapting.rag.prompt", k=k), ROLE["operation"], fontsize=SMALL)
    arrow(ax, (725, 124), (725, 96))
    box(ax, (725, 70), (160, 44), i18n.t("diagram.adapting.rag.answer"), ROLE["output"], fontsize=SMALL)
    text(ax, (330, 70), i18n.t("diagram.adapting.rag.note"),
         size=SMALL, color=GREY)
    return fig
