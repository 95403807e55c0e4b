"""Notebook 07's diagrams: attention for one query, the causal mask, multi-head attention."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .. import i18n
from .style import BODY, GREY, INK, ROLE, SMALL, arrow, box, canvas, text, tint

INTRODUCED_IN = "07"


def _softmax(scores: np.ndarray) -> np.ndarray:
    e = np.exp(scores - scores.max())
    return e / e.sum()


def attention_one_query(scores: tuple[float, ...] = (0.4, 2.1, -0.6, 1.2),
                        tokens: tuple[str, ...] | None = None) -> Figure:
    """One query against every key: scaled dot products → softmax → the weighted sum of the values.
    ``scores`` are the q·k/√d of the example; the weights drawn are their softmax, computed here.
    ``tokens``: by default the example sentence in the language in use ("The cat sat down" in English)."""
    if tokens is None:
        tokens = tuple(i18n.t("diagram.attention.example").split())
    if len(scores) != len(tokens) or not 2 <= len(tokens) <= 6:
        raise ValueError(f"give 2-6 tokens and one score per token, got {len(tokens)} tokens, {len(scores)} scores.")
    weights = _softmax(np.asarray(scores, dtype=float))
    query_at = len(tokens) - 1
    fig, ax = canvas(430, title=i18n.t("diagram.attention.one_query_title", token=tokens[query_at]))
    top, step = 330, 68
    ys = [top - i * step for i in range(len(tokens))]
    col = {"tokens": 55, "keys": 155, "score": 290, "weight": 460, "values": 620, "sum": 775}
    for key in ("keys", "score", "weight", "values", "sum"):
        text(ax, (col[key], top + 52), i18n.t(f"diagram.attention.column_{key}"), size=BODY, weight="bold")
    meet = col["score"] - 75  # where the query meets each key
    out_y = ys[len(ys) // 2] - step / 2
    for j, (token, y, s, a) in enumerate(zip(tokens, ys, scores, weights)):
        box(ax, (col["tokens"], y), (80, 40), token, ROLE["input"])
        arrow(ax, (col["tokens"] + 42, y), (col["keys"] - 34, y), color=GREY)
        box(ax, (col["keys"], y), (64, 34), f"$k_{j + 1}$", ROLE["learned"])
        arrow(ax, (col["keys"] + 34, y), (col["score"] - 50, y), color=GREY)
        box(ax, (col["score"], y), (96, 34), f"{s:+.1f}".replace("-", "−"), ROLE["operation"])
        arrow(ax, (col["score"] + 50, y), (col["weight"] - 75, y), color=GREY)
        # the weight as a bar: its length is the attention weight
        ax.add_patch(Rectangle((col["weight"] - 70, y - 12), 100, 24, facecolor="white", edgecolor=GREY, lw=0.8))
        ax.add_patch(Rectangle((col["weight"] - 70, y - 12), 100 * a, 24, facecolor=tint(ROLE["operation"], 0.75),
                               edgecolor="none"))
        text(ax, (col["weight"] + 58, y), f"{a:.2f}", size=BODY)
        box(ax, (col["values"], y), (64, 34), f"$v_{j + 1}$", ROLE["memory"])
        arrow(ax, (col["weight"] + 80, y), (col["values"] - 34, y), color=GREY)
        # the weighted value flows to the sum; thicker for a bigger weight
        arrow(ax, (col["values"] + 34, y), (col["sum"] - 45, out_y), color=ROLE["memory"], lw=0.6 + 4 * a)
    box(ax, (col["sum"], out_y), (84, 64), "$\\sum_j a_j v_j$", ROLE["output"], fontsize=BODY + 1)
    # the query comes from the last token and meets every key
    box(ax, (col["tokens"], 55), (80, 34), i18n.t("diagram.attention.query"), ROLE["highlight"])
    text(ax, (col["tokens"], 25), i18n.t("diagram.attention.query_from", token=tokens[query_at]), size=SMALL, color=GREY)
    ax.plot([col["tokens"] + 42, meet], [55, 55], color=ROLE["highlight"], lw=1.6)
    ax.plot([meet, meet], [55, ys[0]], color=ROLE["highlight"], lw=1.6, ls="--")
    for y in ys:
        ax.plot([meet], [y], marker="o", color=ROLE["highlight"], ms=5)
    text(ax, (meet + 12, 55), i18n.t("diagram.attention.query_meets_keys"), size=SMALL, color=ROLE["highlight"],
         ha="left")
    text(ax, (col["weight"] + 40, 30), i18n.t("diagram.attention.weights_sum", terms=" + ".join(f"{a:.2f}" for a in weights)),
         size=SMALL, color=GREY)
    return fig


def causal_mask(tokens: str = "To be,") -> Figure:
    """Scores with −∞ above the diagonal (left) and the weights after the softmax (right): every row
    sums to 1 over the tokens at or before it, and the future gets weight exactly 0."""
    if not isinstance(tokens, str) or not 3 <= len(tokens) <= 8:
        raise ValueError(f"tokens must be a text of 3-8 characters (one per row), got {tokens!r}.")
    n = len(tokens)
    rng = np.random.default_rng(7)
    scores = rng.normal(0, 1.2, (n, n)).round(1) + 0.0  # + 0.0 turns −0.0 into 0.0
    masked = np.where(np.triu(np.ones((n, n), bool), 1), -np.inf, scores)
    weights = np.exp(masked - masked.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    fig, ax = canvas(410, title=i18n.t("diagram.attention.causal_title"))
    cell = min(46, 300 // n)
    shown = [t.replace(" ", "␣") for t in tokens]

    def grid(left, values, fmt, label):
        top = 330
        text(ax, (left + n * cell / 2, top + 28), label, size=BODY, weight="bold")
        for i in range(n):
            text(ax, (left - 14, top - (i + 0.5) * cell), shown[i], size=BODY)
            text(ax, (left + (i + 0.5) * cell, top + 8), shown[i], size=BODY)
            for j in range(n):
                future = j > i
                x0, y0 = left + j * cell, top - (i + 1) * cell
                face = tint(GREY, 0.3) if future else tint(ROLE["operation"], 0.15 + 0.8 * (weights[i, j] if fmt else 0.2))
                ax.add_patch(Rectangle((x0, y0), cell, cell, facecolor=face, edgecolor="white", lw=1.5,
                                       hatch="///" if future else None))
                value = values[i, j]
                words = "−∞" if np.isneginf(value) else (fmt.format(value) if fmt else f"{value:+.1f}".replace("+0.0", "0.0"))
                text(ax, (x0 + cell / 2, y0 + cell / 2), words.replace("-", "−"), size=SMALL,
                     color=GREY if future else INK)
        text(ax, (left - 14, top + 8), i18n.t("diagram.attention.query_key_arrows"), size=SMALL, color=GREY, ha="right")
        return top - n * cell

    bottom = grid(100, masked, "", i18n.t("diagram.attention.scores_plus_mask"))
    grid(530, weights, "{:.2f}", i18n.t("diagram.attention.softmax_weights"))
    arrow(ax, (100 + n * cell + 12, 330 - n * cell / 2), (500, 330 - n * cell / 2))
    text(ax, ((100 + n * cell + 500) / 2 + 5, 330 - n * cell / 2 + 20), i18n.t("diagram.attention.softmax_per_row"), size=SMALL)
    text(ax, (425, bottom - 30), i18n.t("diagram.attention.causal_note"), size=SMALL, color=GREY)
    return fig


def multi_head_attention(d_model: int = 128, n_heads: int = 4) -> Figure:
    """X splits into ``n_heads`` slices of d/h channels; each head attends on its own; the heads'
    outputs are concatenated and mixed by W_O. Defaults: our Shakespeare GPT (d = 128, 4 heads)."""
    if not (isinstance(d_model, int) and isinstance(n_heads, int) and 1 <= n_heads <= 8 and d_model % n_heads == 0):
        raise ValueError(f"n_heads must be 1-8 and divide d_model, got d_model={d_model!r}, n_heads={n_heads!r}.")
    per_head = d_model // n_heads
    fig, ax = canvas(400, title=i18n.t("diagram.attention.heads_title", n_heads=n_heads, per_head=per_head,
                                             d_model=d_model))
    mid = 200
    box(ax, (60, mid), (90, 64), f"X\n(T × {d_model})", ROLE["input"])
    box(ax, (190, mid), (110, 90), i18n.t("diagram.attention.qkv_matrix"), ROLE["learned"], fontsize=SMALL)
    arrow(ax, (105, mid), (135, mid))
    spread = min(70, 290 // n_heads)
    ys = [mid + (n_heads - 1) / 2 * spread - k * spread for k in range(n_heads)]
    for k, y in enumerate(ys):
        arrow(ax, (245, mid), (330, y), color=GREY)
        box(ax, (430, y), (200, spread - 14), i18n.t("diagram.attention.head", k=k + 1, per_head=per_head),
            ROLE["operation"], fontsize=SMALL)
        arrow(ax, (530, y), (600, mid), color=GREY)
    box(ax, (640, mid), (80, 64), i18n.t("diagram.attention.concat", d_model=d_model), ROLE["operation"], fontsize=SMALL)
    arrow(ax, (680, mid), (705, mid))
    box(ax, (735, mid), (56, 50), "$W_O$", ROLE["learned"])
    arrow(ax, (763, mid), (785, mid))
    box(ax, (815, mid), (56, 64), i18n.t("diagram.attention.output", d_model=d_model), ROLE["output"], fontsize=SMALL)
    text(ax, (425, 30), i18n.t("diagram.attention.heads_note", d_model=d_model, per_head=per_head, n_heads=n_heads),
         size=SMALL, color=GREY)
    return fig
