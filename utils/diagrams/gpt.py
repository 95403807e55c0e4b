"""Notebook 08's diagrams: the three transformer families, the GPT (whole and one block), the KV cache.

The sizes are those of the course's shipped Shakespeare GPT (``data/shakespeare_gpt.json``, which
tests/test_diagrams.py compares with ``OUR_GPT``) and of GPT-2 small (Radford et al., 2019; the
parameter count is notebook 08's, from the released checkpoint).
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .. import i18n
from .style import BODY, GREY, INK, ROLE, SMALL, TITLE, arrow, box, canvas, node, text, tint

INTRODUCED_IN = "08"

OUR_GPT = {"vocab_size": 76, "block_size": 128, "n_layer": 4, "n_head": 4, "n_embd": 128, "parameters": 813_696}
GPT2_SMALL = {"vocab_size": 50_257, "block_size": 1024, "n_layer": 12, "n_head": 12, "n_embd": 768,
              "parameters": 124_439_808}


def _pattern(ax, left: float, bottom: float, causal: bool, n: int = 5, cell: float = 11) -> None:
    """A tiny attention pattern: filled = may attend, grey hatched = masked (the future)."""
    for i in range(n):
        for j in range(n):
            masked = causal and j > i
            ax.add_patch(Rectangle((left + j * cell, bottom + (n - 1 - i) * cell), cell, cell, lw=0.8,
                                   edgecolor="white", facecolor=tint(GREY, 0.3) if masked else ROLE["operation"],
                                   hatch="////" if masked else None, zorder=3))


def transformer_families() -> Figure:
    """Encoder-only (BERT), decoder-only (GPT) and encoder–decoder (T5, the original transformer),
    each with its attention pattern and what it is trained to do."""
    fig, ax = canvas(400, title=i18n.t("diagram.gpt.families"))
    panels = (
        (140, i18n.t("diagram.gpt.encoder_only"), "BERT, RoBERTa", False, i18n.t("diagram.gpt.masked_input"),
         i18n.t("diagram.gpt.fill_in")),
        (425, i18n.t("diagram.gpt.decoder_only"), i18n.t("diagram.gpt.decoder_examples"), True,
         i18n.t("diagram.gpt.prefix_input"), i18n.t("diagram.gpt.next_token")),
    )
    for x, name, examples, causal, given, produced in panels:
        text(ax, (x, 345), name, size=TITLE, weight="bold")
        text(ax, (x, 322), examples, size=SMALL, color=GREY)
        box(ax, (x, 65), (190, 34), given, ROLE["input"])
        arrow(ax, (x, 82), (x, 112))
        box(ax, (x, 175), (190, 120), "", ROLE["learned"], fill=0.18)
        text(ax, (x - 30, 175), i18n.t("diagram.gpt.n_blocks") + "\n"
             + i18n.t("diagram.gpt.causal_attention" if causal else "diagram.gpt.bidirectional_attention"), size=SMALL)
        _pattern(ax, x + 30, 148, causal)
        arrow(ax, (x, 235), (x, 265))
        box(ax, (x, 285), (190, 34), produced, ROLE["output"])
    # encoder–decoder: two stacks side by side, cross-attention between them
    x = 700
    text(ax, (x, 345), i18n.t("diagram.gpt.encoder_decoder"), size=TITLE, weight="bold")
    text(ax, (x, 322), i18n.t("diagram.gpt.encoder_decoder_examples"), size=SMALL, color=GREY)
    box(ax, (x - 65, 65), (100, 34), i18n.t("diagram.gpt.source_text"), ROLE["input"])
    box(ax, (x + 65, 65), (100, 34), i18n.t("diagram.gpt.target_start"), ROLE["input"])
    for cx, causal, label in ((x - 65, False, i18n.t("diagram.gpt.encoder")), (x + 65, True, i18n.t("diagram.gpt.decoder"))):
        arrow(ax, (cx, 82), (cx, 112))
        box(ax, (cx, 175), (100, 120), "", ROLE["learned"], fill=0.18)
        text(ax, (cx, 208), label, size=SMALL)
        _pattern(ax, cx - 27, 122, causal)
    arrow(ax, (x - 14, 175), (x + 14, 175), color=ROLE["highlight"])
    arrow(ax, (x + 65, 235), (x + 65, 265))
    box(ax, (x + 65, 285), (100, 34), i18n.t("diagram.gpt.target_next"), ROLE["output"])
    text(ax, (425, 20), i18n.t("diagram.gpt.pattern_legend"), size=SMALL, color=GREY)
    return fig


def gpt_architecture(config: dict | None = None) -> Figure:
    """Left: the whole GPT, token ids to logits, with the tensor shapes. Right: one block opened
    (LayerNorm → causal multi-head attention → add; LayerNorm → MLP → add). Sizes: ``config``
    (keys as ``OUR_GPT``), by default our Shakespeare GPT; GPT-2 small's written beside them."""
    c = dict(OUR_GPT if config is None else config)
    missing = set(OUR_GPT) - set(c)
    if missing:
        raise ValueError(f"config needs the keys {sorted(OUR_GPT)}; missing {sorted(missing)}.")
    d, V, T, L, h = c["n_embd"], c["vocab_size"], c["block_size"], c["n_layer"], c["n_head"]
    fig, ax = canvas(690)
    ax.set_ylim(-50, 640)  # the footnote goes below y = 0
    text(ax, (425, 624), i18n.t("diagram.gpt.architecture"), size=TITLE, weight="bold")
    cx = 190

    def shape(y, words):
        text(ax, (cx + 12, y), words, size=SMALL, color=GREY, ha="left")

    box(ax, (cx, 50), (230, 36), i18n.t("diagram.gpt.token_ids"), ROLE["input"])
    shape(88, "(B, T)   T ≤ " + str(T))
    arrow(ax, (cx, 68), (cx, 108), color=INK)
    box(ax, (cx - 70, 135), (130, 48), i18n.t("diagram.gpt.token_embedding", V=V, d=d), ROLE["learned"], fontsize=SMALL)
    box(ax, (cx + 75, 135), (140, 48), i18n.t("diagram.gpt.position_embedding", T=T, d=d), ROLE["learned"], fontsize=SMALL)
    node(ax, (cx, 190), 13, "+", ROLE["operation"])
    arrow(ax, (cx - 70, 160), (cx - 12, 185), color=INK)
    arrow(ax, (cx + 75, 160), (cx + 12, 185), color=INK)
    arrow(ax, (cx, 204), (cx, 245), color=INK)
    shape(224, f"(B, T, {d})")
    box(ax, (cx, 290), (230, 86), "", ROLE["operation"], fill=0.12, lw=2)
    text(ax, (cx, 300), i18n.t("diagram.gpt.block_times", L=L), size=TITLE, weight="bold")
    text(ax, (cx, 272), i18n.t("diagram.gpt.opened_right"), size=SMALL, color=GREY)
    arrow(ax, (cx, 334), (cx, 368), color=INK)
    shape(350, f"(B, T, {d})")
    box(ax, (cx, 390), (230, 36), "LayerNorm", ROLE["operation"])
    arrow(ax, (cx, 408), (cx, 440), color=INK)
    box(ax, (cx, 468), (256, 52), i18n.t("diagram.gpt.linear_tied", d=d, V=V), ROLE["learned"],
        fontsize=SMALL)
    arrow(ax, (cx, 494), (cx, 526), color=INK)
    box(ax, (cx, 546), (230, 36), i18n.t("diagram.gpt.logits"), ROLE["output"])
    shape(510, f"(B, T, {V})")
    text(ax, (cx, 588), i18n.t("diagram.gpt.softmax_guess"), size=SMALL)

    # the block, opened
    bx, skip = 590, 735
    ax.plot([cx + 115, bx - 150], [333, 586], color=GREY, lw=0.8, ls=":")
    ax.plot([cx + 115, bx - 150], [247, 40], color=GREY, lw=0.8, ls=":")
    ax.add_patch(Rectangle((bx - 150, 40), 340, 546, facecolor=tint(ROLE["operation"], 0.05),
                           edgecolor=ROLE["operation"], lw=1, ls="--"))
    text(ax, (bx + 20, 568), i18n.t("diagram.gpt.one_block"), size=BODY, weight="bold")
    box(ax, (bx, 70), (200, 34), f"x   (B, T, {d})", ROLE["input"])
    steps = ((130, "LayerNorm", 34, ROLE["operation"]),
             (205, i18n.t("diagram.gpt.attention_heads", h=h, channels=d // h), 52, ROLE["learned"]),
             (345, "LayerNorm", 34, ROLE["operation"]),
             (420, f"MLP: {d} → {4 * d} → {d}\nGELU", 52, ROLE["learned"]))
    arrow(ax, (bx, 87), (bx, 113), color=INK)
    for y, words, height, role in steps:
        box(ax, (bx, y), (200, height), words, role, fontsize=SMALL)
    arrow(ax, (bx, 147), (bx, 179), color=INK)
    for y_add, source_y in ((275, 87), (490, 290)):
        node(ax, (bx, y_add), 13, "+", ROLE["operation"])
        ax.plot([bx, skip, skip], [source_y, source_y, y_add], color=ROLE["highlight"], lw=1.6)
        arrow(ax, (skip, y_add), (bx + 13, y_add), color=ROLE["highlight"])
    text(ax, (skip + 8, 180), i18n.t("diagram.gpt.residual"), size=SMALL, color=ROLE["highlight"], ha="left")
    arrow(ax, (bx, 231), (bx, 262), color=INK)
    arrow(ax, (bx, 288), (bx, 328), color=INK)
    arrow(ax, (bx, 362), (bx, 394), color=INK)
    arrow(ax, (bx, 446), (bx, 477), color=INK)
    arrow(ax, (bx, 503), (bx, 530), color=INK)
    text(ax, (bx, 543), f"(B, T, {d})", size=SMALL, color=GREY)

    g = GPT2_SMALL
    text(ax, (425, -18), i18n.t("diagram.gpt.sizes", L=L, d=d, h=h, V=V, T=T, parameters=c["parameters"],
                                g_layers=g["n_layer"], g_d=g["n_embd"], g_heads=g["n_head"], g_vocab=g["vocab_size"],
                                g_context=g["block_size"], g_parameters=g["parameters"]),
         size=SMALL, color=INK)
    return fig


def kv_cache(tokens: str = "To be", layers: int = OUR_GPT["n_layer"], d: int = OUR_GPT["n_embd"],
             context: int = OUR_GPT["block_size"]) -> Figure:
    """Generating the last token of ``tokens``: the keys and values of the earlier tokens come from
    the cache; only the new token's q, k, v are computed; one query attends to all cached keys."""
    if not isinstance(tokens, str) or not 2 <= len(tokens) <= 7:
        raise ValueError(f"tokens must be a text of 2-7 characters, got {tokens!r}.")
    n = len(tokens)
    shown = [t.replace(" ", "␣") for t in tokens]
    fig, ax = canvas(440, title=i18n.t("diagram.gpt.kv_cache"))
    # the tokens along the bottom, the newest highlighted
    for i, t in enumerate(shown):
        new = i == n - 1
        box(ax, (60 + i * 50, 50), (42, 36), t, ROLE["highlight"] if new else ROLE["input"])
    text(ax, (60 + (n - 1) * 50, 20), i18n.t("diagram.gpt.new"), size=SMALL, color=ROLE["highlight"], weight="bold")
    new_x = 60 + (n - 1) * 50
    box(ax, (new_x - 20, 150), (150, 48), i18n.t("diagram.gpt.new_token_only"), ROLE["learned"],
        fontsize=SMALL)
    arrow(ax, (new_x, 68), (new_x, 126), color=ROLE["highlight"])
    box(ax, (new_x - 20, 260), (70, 36), f"$q_{n}$", ROLE["highlight"])
    arrow(ax, (new_x - 20, 174), (new_x - 20, 242), color=ROLE["highlight"])

    row_h, top = 30, 350
    for sym, label, cx in (("k", i18n.t("diagram.gpt.k_cache"), 470), ("v", i18n.t("diagram.gpt.v_cache"), 660)):
        text(ax, (cx, top + 30), label, size=BODY, weight="bold")
        for i in range(n):
            y = top - i * row_h
            new = i == n - 1
            ax.add_patch(Rectangle((cx - 70, y - row_h / 2), 140, row_h - 4, lw=1.2,
                                   facecolor=tint(ROLE["highlight"] if new else ROLE["memory"], 0.3),
                                   edgecolor=ROLE["highlight"] if new else ROLE["memory"],
                                   hatch=None if new else "..."))
            text(ax, (cx, y - 2), f"${sym}_{i + 1}$  ({shown[i]})", size=SMALL)
            if sym == "k":  # the one query meets every key
                arrow(ax, (new_x + 15, 260), (cx - 72, y - 2), color=INK, lw=0.9)
            else:  # every value, weighted, flows to the output
                arrow(ax, (cx + 72, y - 2), (780, 232), color=ROLE["memory"], lw=0.9)
    text(ax, (470, top - n * row_h - 6), i18n.t("diagram.gpt.dotted"), size=SMALL, color=ROLE["memory"])
    text(ax, (660, top - n * row_h - 6), i18n.t("diagram.gpt.orange"), size=SMALL, color=ROLE["highlight"])
    new_row_y = top - (n - 1) * row_h
    arrow(ax, (new_x + 55, 160), (400, new_row_y - 4), color=ROLE["highlight"])
    arrow(ax, (new_x + 55, 150), (590, new_row_y - 14), color=ROLE["highlight"], curve=0.15)
    # the one query meets all keys, the weights mix all values
    text(ax, (300, 330), i18n.t("diagram.gpt.every_key", n=n), size=SMALL)
    box(ax, (790, 205), (100, 52), i18n.t("diagram.gpt.output_for", n=n), ROLE["output"], fontsize=SMALL)
    text(ax, (790, 150), i18n.t("diagram.gpt.weighted_sum"), size=SMALL)
    numbers = 2 * layers * context * d
    text(ax, (560, 80), i18n.t("diagram.gpt.stored", n=n, layers=layers, context=context, d=d, numbers=numbers),
         size=SMALL, color=INK)
    return fig
