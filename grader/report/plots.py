"""The HTML reports' figures as PNG bytes: matplotlib's object API on the Agg canvas.

No pyplot (no global figure state, no GUI backend): each figure is a
``matplotlib.figure.Figure`` drawn by its own ``FigureCanvasAgg``, so rendering is the
same in a notebook, a batch worker or a test, and two reports rendered at once cannot
draw on each other's figures. matplotlib is imported only here, and this module only
when HTML is rendered. Every function takes plain data (from a check's facts or a class
summary), checks its shape and returns None for data it cannot draw, so a malformed or
hostile value costs a figure, never the report. Text in figures is drawn literally
(``parse_math=False``): a ``$`` in a label is a dollar sign, not mathtext.
"""
import io
import math

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

DPI = 100
MAX_POINTS = 10_000             # epochs of a curve drawn at most
MAX_CLASSES = 50                # rows of a confusion matrix drawn at most
MAX_BARS = 12                   # bugs in the bar chart
STUDENT, REFERENCE, BAR = "#c0392b", "#2c7be5", "#5b6b7d"
MAX_LABEL = 60                  # characters of a curve's label
# PNG metadata names the software and a date by default: left out, so the same data
# gives the same bytes
METADATA = {"Software": None}


def _png(fig):
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata=METADATA)
    return buffer.getvalue()


def _numbers(values, limit=MAX_POINTS):
    """A list of floats (non-finite values as NaN, drawn as gaps), or None."""
    if not isinstance(values, (list, tuple)) or not values or len(values) > limit:
        return None
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return None
        v = float(v)
        out.append(v if math.isfinite(v) and abs(v) < 1e300 else math.nan)
    return out


def curve_label(curve):
    """The curve's label (what its values are), clipped; "" when it has none."""
    label = curve.get("label") if isinstance(curve, dict) else None
    return " ".join(label.split())[:MAX_LABEL] if isinstance(label, str) else ""


def curve_png(curve):
    """``{"label": "training loss", "percent": False, "student": [per epoch], "reference":
    [per epoch] (optional), "threshold": a value the check needs (optional)}``
    (``percent``: the values are fractions, drawn as percentages) -> a line chart of the
    student's curve, beside the reference's when given, or None."""
    if not isinstance(curve, dict) or not curve_label(curve):
        return None
    student = _numbers(curve.get("student"))
    reference = _numbers(curve.get("reference")) if curve.get("reference") is not None else []
    threshold = curve.get("threshold")
    threshold = float(threshold) if isinstance(threshold, (int, float)) and not isinstance(threshold, bool) \
        and math.isfinite(threshold) else None
    if student is None or reference is None or all(math.isnan(v) for v in student + reference):
        return None
    fig = Figure(figsize=(6.4, 3.6))
    ax = fig.add_subplot()
    for values, label, color, style in ((reference, "reference", REFERENCE, "--"),
                                        (student, "yours", STUDENT, "-")):
        if not values:
            continue
        epochs = range(1, len(values) + 1)
        ax.plot(epochs, values, style, color=color, label=label, marker="o" if len(values) <= 30 else None,
                linewidth=2)
    if threshold is not None:
        ax.axhline(threshold, color=BAR, linestyle=":", linewidth=1.5, label="needed")
    ax.set_xlabel("epoch")
    ax.set_ylabel(curve_label(curve))
    if curve.get("percent") is True:
        finite = [v for v in student + reference + ([threshold] if threshold is not None else [])
                  if not math.isnan(v)]
        top = min(1.0, max(finite)) + 0.02
        ax.set_ylim(min(max(0.0, min(finite) - 0.05), top - 0.1), top)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    longest = max(len(student), len(reference))
    if longest <= 30:
        ax.set_xticks(range(1, longest + 1, max(1, longest // 10)))
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return _png(fig)


def confusion_png(matrix):
    """A square list of lists of counts (rows: true label, columns: predicted) -> the
    confusion matrix with each count written in its cell, or None."""
    if not isinstance(matrix, (list, tuple)) or not 2 <= len(matrix) <= MAX_CLASSES:
        return None
    n = len(matrix)
    rows = []
    for row in matrix:
        if not isinstance(row, (list, tuple)) or len(row) != n:
            return None
        if not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 10**12 for v in row):
            return None
        rows.append(list(row))
    fig = Figure(figsize=(5.2, 4.6))
    ax = fig.add_subplot()
    image = ax.imshow(rows, cmap="Blues", vmin=0)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    fig.tight_layout()          # before the counts: they sit inside their cells, and laying
    largest = max(max(r) for r in rows) or 1        # out 100 texts would double the cost
    if n <= 12:
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                ax.text(j, i, str(v), ha="center", va="center", fontsize=7 if v < 1000 else 6,
                        color="white" if v > largest / 2 else "#1b2a3a", parse_math=False)
    return _png(fig)


def histogram_png(edges, counts):
    """Class score histogram: ``edges`` (percent, len(counts) + 1, increasing) and
    ``counts`` (students per bin) -> a bar chart, or None."""
    edges, counts = _numbers(edges, 1000), _numbers(counts, 999)
    if edges is None or counts is None or len(edges) != len(counts) + 1 or \
            any(math.isnan(v) for v in edges + counts) or any(b <= a for a, b in zip(edges, edges[1:])):
        return None
    fig = Figure(figsize=(6.4, 3.2))
    ax = fig.add_subplot()
    widths = [b - a for a, b in zip(edges, edges[1:])]
    ax.bar(edges[:-1], counts, width=widths, align="edge", color=REFERENCE, edgecolor="white")
    ax.set_xticks(edges)
    ax.set_xlabel("score (% of the points)")
    ax.set_ylabel("students")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    return _png(fig)


def bugs_png(bugs):
    """``[(label, count, share)]``, most common first -> horizontal bars of the first
    MAX_BARS with each bar's share of the class written beside it, or None."""
    rows = []
    for label, count, share in list(bugs)[:MAX_BARS]:
        if isinstance(count, bool) or not isinstance(count, int) or count < 0 or \
                isinstance(share, bool) or not isinstance(share, (int, float)) or not math.isfinite(share):
            return None
        text = str(label)
        rows.append((text if len(text) <= 40 else text[:39] + "…", count, float(share)))
    if not rows:
        return None
    fig = Figure(figsize=(6.4, 0.45 * len(rows) + 1.0))
    ax = fig.add_subplot()
    positions = range(len(rows))
    ax.barh(positions, [r[1] for r in rows], color=STUDENT)
    ax.set_yticks(positions)
    ax.set_yticklabels([r[0] for r in rows], parse_math=False, fontsize=8)
    ax.invert_yaxis()
    largest = max(r[1] for r in rows) or 1
    for y, (_, count, share) in enumerate(rows):
        ax.text(count + largest * 0.01, y, f"{count} ({share:.0%})", va="center", fontsize=8,
                parse_math=False)
    ax.set_xlim(0, largest * 1.25)
    ax.set_xlabel("students")
    ax.xaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    return _png(fig)
