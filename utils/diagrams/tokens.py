"""Notebook 06's diagram: how byte-pair encoding turns text into token ids."""

from __future__ import annotations

from matplotlib.figure import Figure

from ..i18n import t as t_
from .style import BODY, GREY, INK, ROLE, SMALL, arrow, box, canvas, text

INTRODUCED_IN = "06"


def _merge(tokens: list, pair: tuple, new) -> list:
    """Replace every adjacent ``pair`` in ``tokens`` by ``new`` (one BPE merge), left to right."""
    out, i = [], 0
    while i < len(tokens):
        if i + 1 < len(tokens) and (tokens[i], tokens[i + 1]) == pair:
            out.append(new)
            i += 2
        else:
            out.append(tokens[i])
            i += 1
    return out


def tokenisation(word: str = "the theme") -> Figure:
    """Text → UTF-8 bytes → two merges → ids, with each row's tiles computed, not typed: the merges
    are (t, h) → 256 and (256, e) → 257, the first two new ids after the 256 bytes."""
    if not isinstance(word, str) or not 1 <= len(word.encode()) <= 12 or "th" not in word:
        raise ValueError(f"word must be a short text (1-12 bytes) containing 'th', got {word!r}.")
    data = list(word.encode("utf-8"))
    th = (ord("t"), ord("h"))
    step1 = _merge(data, th, 256)
    step2 = _merge(step1, (256, ord("e")), 257)
    names = {256: "th", 257: "the"}

    def shown(t):
        return names[t] if t in names else bytes([t]).decode("utf-8", "replace").replace(" ", "␣")

    rows = [
        (t_("diagram.tokens.text"), [shown(t) for t in data], [""] * len(data), ROLE["input"]),
        (t_("diagram.tokens.bytes"), [shown(t) for t in data], [str(t) for t in data], ROLE["input"]),
        (t_("diagram.tokens.merge", k=1, rule="t h → 256"), [shown(t) for t in step1], [str(t) for t in step1], ROLE["operation"]),
        (t_("diagram.tokens.merge", k=2, rule="256 e → 257"), [shown(t) for t in step2], [str(t) for t in step2], ROLE["operation"]),
        (t_("diagram.tokens.ids"), [str(t) for t in step2], [""] * len(step2), ROLE["output"]),
    ]
    fig, ax = canvas(450, title=t_("diagram.tokens.title"))
    tile_w, gap, left = 52, 6, 250
    for r, (label, tiles, ids, color) in enumerate(rows):
        y = 377 - r * 72
        text(ax, (20, y + 6), label, size=BODY, ha="left", weight="bold")
        if r == 0:  # the text itself: one string, before anything is cut
            width = len(data) * (tile_w + gap) - gap
            box(ax, (left + width / 2, y + 6), (width, 40), f"“{word}”", color, fontsize=BODY + 1)
            continue
        for i, (tile, number) in enumerate(zip(tiles, ids)):
            x = left + i * (tile_w + gap)
            new = color == ROLE["operation"] and number in ("256", "257") and (
                (r == 2 and number == "256") or (r == 3 and number == "257"))
            box(ax, (x + tile_w / 2, y + 6), (tile_w, 34 if number else 40), tile,
                ROLE["highlight"] if new else color, fontsize=BODY, fill=0.35 if new else 0.22)
            if number:
                text(ax, (x + tile_w / 2, y - 20), number, size=SMALL, color=GREY)
        if r:
            arrow(ax, (left - 25, y + 58), (left - 25, y + 22), color=INK)
    text(ax, (425, 28), t_("diagram.tokens.note", bytes=len(data), tokens=len(step2)),
         size=SMALL, color=GREY)
    return fig
