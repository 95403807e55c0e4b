"""Diagrams of notebooks 03 and 04: the chain rule on a computational graph, a multilayer perceptron."""

from __future__ import annotations

from matplotlib.figure import Figure

from ..i18n import t
from .style import (
    BODY,
    GREEN,
    GREY,
    INK,
    ORANGE,
    ROLE,
    SKY,
    SMALL,
    arrow,
    box,
    canvas,
    node,
    text,
    tint,
)

INTRODUCED_IN = "03"


def backprop_chain_rule(w: float = 1.5, x: float = 2.0, b: float = 0.5, y: float = 2.0) -> Figure:
    """Notebook 03's graph L = (w·x + b − y)²: values forward (solid, left to right), and on each
    backward arrow (dashed, right to left) the local derivative it multiplies the gradient by."""
    u = w * x
    z = u + b
    d = z - y
    loss = d * d
    grad = {"L": 1.0, "d": 2 * d}
    grad["z"] = grad["d"] * 1
    grad["y"] = grad["d"] * -1
    grad["u"] = grad["z"] * 1
    grad["b"] = grad["z"] * 1
    grad["w"] = grad["u"] * x
    grad["x"] = grad["u"] * w
    back = ROLE["highlight"]

    fig, ax = canvas(420, title=t("diagram.networks.chain_title"))
    size = (110, 50)
    at = {"w": (60, 300), "x": (60, 140), "u": (235, 220), "b": (330, 322), "z": (410, 220), "y": (505, 322),
          "d": (585, 220), "L": (785, 220)}
    labels = {"w": f"w = {w:g}", "x": f"x = {x:g}", "b": f"b = {b:g}", "y": f"y = {y:g}",
              "u": f"u = w·x\n= {u:g}", "z": f"z = u + b\n= {z:g}", "d": f"d = z − y\n= {d:g}",
              "L": f"L = d²\n= {loss:g}"}
    for name, xy in at.items():
        color = ROLE["input"] if name in "wxby" else (ROLE["output"] if name == "L" else ROLE["operation"])
        box(ax, xy, (size[0] if name in "uzdL" else 96, size[1]), labels[name], color)
        if name in "by":
            text(ax, (xy[0], xy[1] + size[1] / 2 + 13), f"∂L/∂{name} = {grad[name]:g}".replace("-", "−"), size=SMALL,
                 color=back, weight="bold")
            continue
        below = -size[1] / 2 - 14
        text(ax, (xy[0], xy[1] + below), f"∂L/∂{name} = {grad[name]:g}".replace("-", "−"), size=SMALL, color=back, weight="bold")

    def edge(src, dst, local, label_at=None):
        (x0, y0), (x1, y1) = at[src], at[dst]
        half = 48 if src in "wxby" else 55
        start = (x0 + half, y0) if src not in "by" else (x0, y0 - 25)
        end = (x1 - 55, y1 + (10 if y0 > y1 else -10 if y0 < y1 else 0))
        if src in "by":
            end = (x1 - 20, y1 + 25)
        arrow(ax, start, end)  # forward
        # backward: the same edge, offset below, pointing back, labelled with the local derivative
        off = 16
        bstart, bend = (end[0], end[1] - off), (start[0], start[1] - off)
        if src in "by":
            bstart, bend = (end[0] + 28, end[1]), (start[0] + 28, start[1])
        arrow(ax, bstart, bend, color=back, dashed=True)
        mid = ((bstart[0] + bend[0]) / 2, (bstart[1] + bend[1]) / 2)
        dx = 30 if src in "by" else 0
        dy = 0 if src in "by" else -13
        text(ax, label_at or (mid[0] + dx, mid[1] + dy), local, size=SMALL, color=back)

    edge("w", "u", f"×x = {x:g}", label_at=(115, 238))
    edge("x", "u", f"×w = {w:g}", label_at=(115, 202))
    edge("u", "z", "×1")
    edge("b", "z", "×1")
    edge("z", "d", "×1")
    edge("y", "d", "×(−1)")
    edge("d", "L", f"×2d = {2 * d:g}")
    text(ax, (425, 48), t("diagram.networks.chain_product", two_d=f"{2 * d:g}", x=f"{x:g}", grad=f"{grad['w']:g}"),
         size=BODY)
    text(ax, (425, 22), t("diagram.networks.chain_reuse"), size=SMALL, color=GREY)
    return fig


def multilayer_perceptron(sizes: tuple[int, ...] = (64, 64, 10), shown: int = 6) -> Figure:
    """Notebook 04's MLP (``MLP([64, 64, 10])``): layers of neurons, every line a weight, and the
    parameter count of each layer (weights + biases) written under it."""
    if not (isinstance(sizes, (tuple, list)) and len(sizes) == 3 and all(isinstance(n, int) and n > 0 for n in sizes)):
        raise ValueError(f"sizes must be three positive integers (inputs, hidden, outputs), got {sizes!r}.")
    if not isinstance(shown, int) or not 3 <= shown <= 10:
        raise ValueError(f"shown (neurons drawn per layer) must be an integer from 3 to 10, got {shown!r}.")
    n_in, n_hidden, n_out = sizes
    counts = [n_in * n_hidden + n_hidden, n_hidden * n_out + n_out]
    fig, ax = canvas(470, title=t("diagram.networks.mlp_title", sizes=list(sizes)))
    xs = (150, 420, 690)
    top, bottom = 400, 120

    def column(n, most):
        k = min(n, most)
        ys = [top - i * (top - bottom) / max(k - 1, 1) for i in range(k)]
        return ys, k < n

    columns = [column(n_in, shown), column(n_hidden, shown), column(n_out, 10)]  # all ten digits
    radius = 13
    # weights first, under the neurons; one drawn in colour and named
    for layer in range(2):
        (ys0, cut0), (ys1, cut1) = columns[layer], columns[layer + 1]
        for i0, y0 in enumerate(ys0):
            for i1, y1 in enumerate(ys1):
                if (cut0 and i0 == len(ys0) - 2) or (cut1 and i1 == len(ys1) - 2):
                    continue  # the "⋮" row has no neuron to connect
                ax.plot([xs[layer] + radius, xs[layer + 1] - radius], [y0, y1], color=tint(GREY, 0.45), lw=0.7,
                        zorder=1)
    ys0, ys1 = columns[0][0], columns[1][0]
    ax.plot([xs[0] + radius, xs[1] - radius], [ys0[1], ys1[0]], color=ORANGE, lw=2.4, zorder=1.5)
    text(ax, ((xs[0] + xs[1]) / 2 - 20, (ys0[1] + ys1[0]) / 2 + 26), t("diagram.networks.one_weight") + " $w_{ij}$", size=BODY, color=INK)

    names = (t("diagram.networks.inputs_pixels") if n_in == 64 else t("diagram.networks.inputs", n=n_in),
             t("diagram.networks.hidden", n=n_hidden), t("diagram.networks.outputs", n=n_out))
    colors = (SKY, ROLE["operation"], GREEN)
    for (ys, cut), x_col, name, color, n in zip(columns, xs, names, colors, sizes):
        for i, y_n in enumerate(ys):
            if cut and i == len(ys) - 2 and n != n_out:
                text(ax, (x_col, y_n), "⋮", size=16, color=INK)
                continue
            label = str(i) if color == GREEN and n <= 10 else ""
            node(ax, (x_col, y_n), radius, label, color, fontsize=SMALL)
        text(ax, (x_col, top + 32), name, size=BODY, weight="bold")
    # the counts, under each layer of weights
    for layer, count in enumerate(counts):
        a, bsize = sizes[layer], sizes[layer + 1]
        text(ax, ((xs[layer] + xs[layer + 1]) / 2, 78),
             f"$W_{layer + 1}$: {a}×{bsize} = {a * bsize:,}\n$b_{layer + 1}$: {bsize}\n= "
             + t("diagram.networks.parameters", count=count),
             size=BODY, color=INK)
    box(ax, (800, 260), (80, 60), "softmax\n→ p₀…p₉" if n_out == 10 else "softmax", ROLE["operation"],
        fontsize=SMALL)
    arrow(ax, (xs[2] + radius + 6, 260), (758, 260))
    text(ax, (795, 78), t("diagram.networks.total", count=sum(counts)), size=BODY, weight="bold")
    text(ax, (xs[0], 78), t("diagram.networks.not_drawn") if columns[0][1] else "", size=SMALL, color=GREY)
    return fig
