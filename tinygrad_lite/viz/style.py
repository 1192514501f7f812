"""How the graph looks: colours by role, value formatting, HTML labels.

Kept apart from the graph walk so that the look can change without touching
the logic. Labels are Graphviz HTML-like labels (a small table per tensor:
name, shape and dtype, values, gradient).
"""
from __future__ import annotations

import html
import numpy as np

FONT = "Helvetica"
SMALL = 6  # tensors with at most this many elements show every value

# role -> (fill colour, legend text). Colours are pale so black text stays
# readable; they differ in hue *and* lightness (fine in greyscale too).
ROLES = {
    "parameter": ("#a9cdf5", "parameter"),
    "input": ("#b7e4b0", "input (requires grad)"),
    "intermediate": ("#ffffff", "intermediate tensor"),
    "output": ("#ffd166", "output / loss"),
    "constant": ("#e4e4e4", "constant (no grad)"),
}
OP_FILL = "#f3ecff"
OP_BORDER = "#7a5fb0"
BORDER = "#555555"
NAN_RED = "#d62728"
CLUSTER_FILLS = ("#f5f7fa", "#e9eef5")  # alternate with nesting depth
CLUSTER_BORDER = "#8894a8"
# text colours: each has a contrast of at least 4.5:1 (WCAG AA) on every
# fill above, so small text stays readable on all of them
GRAD_INK = "#8a3b00"      # gradients: brown-orange, apart from black data
FREED_INK = "#634c00"     # "saved tensors freed"
SHAPE_INK = "#333333"     # "(2, 3) float32"
TITLE_INK = "#555555"     # the "data"/"grad" row titles
NOTE_INK = "#555555"      # "values not kept"
SAVED_INK = "#444444"     # "saved: a, b" in an operation
CLUSTER_INK = "#3b4657"   # module box labels
TEXT_INKS = (GRAD_INK, FREED_INK, SHAPE_INK, TITLE_INK, NOTE_INK, SAVED_INK, CLUSTER_INK)

# friendlier labels for the operations a learner writes as operators
OP_SYMBOLS = {
    "Add": "+", "Sub": "-", "Mul": "*", "Div": "/", "Pow": "**",
    "MatMul": "@", "Neg": "-x", "GetItem": "[ ]",
}


def escape(text: str) -> str:
    """Text made safe for a Graphviz HTML-like label."""
    return html.escape(text, quote=True)


def format_number(value: object) -> str:
    """A compact number: 4 significant digits, floats keep a decimal point
    (2.0, not 2) so a learner can tell floats from integers."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    text = f"{float(value):.4g}"
    if text.lstrip("-").isdigit():
        text += ".0"
    return text


def format_shape(shape: tuple) -> str:
    """(2, 3); (4,) as Python writes it; 'scalar' for a 0-d tensor."""
    return "scalar" if len(shape) == 0 else str(tuple(int(n) for n in shape))


def format_values(array: np.ndarray) -> list:
    """Lines describing `array`: every value when there are at most `SMALL`,
    otherwise mean/std and min/max of the finite values."""
    if array.size == 0:
        return ["empty"]
    if array.size <= SMALL:
        text = np.array2string(array, separator=", ", max_line_width=10**6,
                               formatter={"all": format_number})
        return [text.replace("\n", "")]
    finite = array[np.isfinite(array)] if array.dtype.kind in "fc" else array
    if finite.size == 0:
        return ["no finite values"]
    values = finite.astype(np.float64)
    low, high = values.min(), values.max()
    if low == high:
        return [f"all {format_number(low)}"]
    return [f"mean {format_number(values.mean())}  std {format_number(values.std())}",
            f"min {format_number(low)}  max {format_number(high)}"]


def non_finite(array: np.ndarray | None) -> str:
    """'nan', 'inf', 'nan, inf' or '' for an array (None: '')."""
    if array is None or array.dtype.kind not in "fc":
        return ""
    found = []
    if np.isnan(array).any():
        found.append("nan")
    if np.isinf(array).any():
        found.append("inf")
    return ", ".join(found)


def _font(text: str, size: int, ink: str | None = None, bold: bool = False) -> str:
    body = f"<B>{escape(text)}</B>" if bold else escape(text)
    colour = f' COLOR="{ink}"' if ink else ""
    return f'<FONT POINT-SIZE="{size}"{colour}>{body}</FONT>'


def _lines(lines: list, size: int, ink: str | None = None) -> str:
    """Left-aligned lines in one table cell, the later ones indented to
    start under the first one's text (past its "data "/"grad " title)."""
    indent = "\u00a0" * 8
    return '<BR ALIGN="LEFT"/>'.join(
        _font(line if i == 0 else indent + line, size, ink) for i, line in enumerate(lines)) \
        + '<BR ALIGN="LEFT"/>'



def tensor_label(name: str, role: str, shape: tuple, dtype: np.dtype,
                 data_lines: list, grad_lines: list, badge: str, note: str = "") -> str:
    """The HTML label of a tensor node, a table filled with the role's
    colour: name; shape and dtype; then "data" and "grad" rows with their
    values (or a grey `note` saying why they are missing); and a red badge
    (plus a thick red border) for NaN/inf."""
    fill = ROLES[role][0]
    rows = [f'<TR><TD ALIGN="LEFT">{_font(name, 12, bold=True)}</TD></TR>',
            f'<TR><TD ALIGN="LEFT">{_font(f"{format_shape(shape)} {dtype}", 10, SHAPE_INK)}'
            f'</TD></TR>']
    if note:
        rows.append(f'<TR><TD ALIGN="LEFT"><I>{_font(note, 10, NOTE_INK)}</I></TD></TR>')
    for title, lines, ink in (("data", data_lines, None), ("grad", grad_lines, GRAD_INK)):
        if lines:  # one left-aligned cell: "data <values>", later lines indented
            text = _font(title + " ", 10, ink or TITLE_INK) + _lines(lines, 11, ink)
            rows.append(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{text}</TD></TR>')
    border, ink = "1", BORDER
    if badge:
        rows.append(f'<TR><TD ALIGN="LEFT" BGCOLOR="{NAN_RED}">'
                    f'{_font(chr(0x26A0) + " " + badge, 11, "white", bold=True)}</TD></TR>')
        border, ink = "3", NAN_RED
    return (f'<<TABLE BORDER="{border}" COLOR="{ink}" CELLBORDER="0" CELLSPACING="0" '
            f'CELLPADDING="3" BGCOLOR="{fill}" ROWS="*">' + "".join(rows) + "</TABLE>>")


def op_label(name: str, saved_lines: list, freed: bool) -> str:
    """The HTML label of an operation node (text only; the shape is a box)."""
    lines = [f'<FONT POINT-SIZE="11"><B>{escape(name)}</B></FONT>']
    ink = FREED_INK if freed else SAVED_INK
    lines += [f'<FONT POINT-SIZE="10" COLOR="{ink}">{escape(s)}</FONT>' for s in saved_lines]
    return "<" + "<BR/>".join(lines) + ">"


def legend_label(roles: list, with_ops: bool, nan: bool, freed: bool) -> str:
    """A one-node legend: a swatch per role that appears in the picture."""
    cells = [f'<TD BGCOLOR="{ROLES[r][0]}" BORDER="1">'
             f'<FONT POINT-SIZE="10">{escape(ROLES[r][1])}</FONT></TD>' for r in roles]
    if with_ops:
        cells.append(f'<TD BGCOLOR="{OP_FILL}" BORDER="1">'
                     f'<FONT POINT-SIZE="10">operation</FONT></TD>')
    if nan:
        cells.append(f'<TD BGCOLOR="{NAN_RED}" BORDER="1"><FONT POINT-SIZE="10" '
                     f'COLOR="white">nan / inf</FONT></TD>')
    if freed:
        cells.append(f'<TD BORDER="1" STYLE="DASHED"><FONT POINT-SIZE="10" '
                     f'COLOR="{FREED_INK}">saved tensors freed</FONT></TD>')
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="3">'
            '<TR><TD><FONT POINT-SIZE="10"><B>legend</B></FONT></TD>'
            + "".join(cells) + "</TR></TABLE>>")
