"""Drawing: the sliding-window picture and the padded-values grid, as SVG markup."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from quizzes.diagrams.axes import (
    EXTRA,
    HEAD_WINDOWS,
    PAD,
    ZERO,
    Axis,
    Slots,
    axis_slots,
)
from quizzes.misconceptions.padding_modes import fits as padding_fits
from quizzes.misconceptions.padding_modes import pad_grid

# Colour of a window by its position along an axis: first, second, third, ..., the last one.
WINDOW_COLOURS = ("#0a58ca", "#c2410c", "#7c3aed", "#0f766e")
LAST_COLOUR = "#15803d"
GHOST_COLOUR = "#b91c1c"
INK, MUTED, GRID_LINE = "#1b1f24", "#545d68", "#8c959f"
GHOST_OVERHANG_MAX = 4
RULER_ROW = 13


@dataclass(frozen=True)
class Diagram:
    title: str
    svg: str  # a complete <svg> element: role="img", labelled by its <title>
    description: list[str]  # the text alternative, sentence by sentence
    kind: str = "window"  # "window" or "padding"


# ---------------------------------------------------------------------------------------------
# SVG drawing.


@dataclass
class _Canvas:
    parts: list[str] = field(default_factory=list)

    def add(self, markup: str) -> None:
        self.parts.append(markup)

    def rect(self, x: float, y: float, w: float, h: float, **attributes: Any) -> None:
        self.add(f'<rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}"{_attrs(attributes)}/>')

    def line(self, x1: float, y1: float, x2: float, y2: float, **attributes: Any) -> None:
        self.add(f'<line x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}"{_attrs(attributes)}/>')

    def text(self, x: float, y: float, content: str, **attributes: Any) -> None:
        self.add(f'<text x="{x:g}" y="{y:g}"{_attrs(attributes)}>{escape(content)}</text>')

    def circle(self, x: float, y: float, r: float, **attributes: Any) -> None:
        self.add(f'<circle cx="{x:g}" cy="{y:g}" r="{r:g}"{_attrs(attributes)}/>')


def _attrs(attributes: Mapping[str, Any]) -> str:
    return "".join(
        f' {name.rstrip("_").replace("_", "-")}="{escape(str(value))}"'
        for name, value in attributes.items()
        if value is not None
    )


_DEFS = (
    "<defs>"
    '<pattern id="{p}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="#e3e7ec"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#b8c0ca" stroke-width="2"/></pattern>'
    '<pattern id="{p}-extra" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(-45)"><rect width="6" height="6" fill="#fdf0dc"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#e0b36a" stroke-width="2"/></pattern>'
    '<marker id="{p}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
    'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
    'fill="{ink}"/></marker>'
    "</defs>"
)


def _cell_fill(kind: str, prefix: str) -> str:
    if kind == PAD:
        return f"url(#{prefix}-hatch)"
    if kind == EXTRA:
        return f"url(#{prefix}-extra)"
    if kind == ZERO:
        return "#f3f4f6"
    return "#ffffff"


def _window_colour(axis: Axis, position: int) -> str:
    if position == axis.out - 1 and position >= HEAD_WINDOWS:
        return LAST_COLOUR
    return WINDOW_COLOURS[min(position, len(WINDOW_COLOURS) - 1)]


def _ruler_positions(axis: Axis, slots: Slots, head: int) -> list[int]:
    """Window positions drawn on an axis's ruler: the first few, and the last when visible."""
    positions = [
        position
        for position in range(min(axis.out, head))
        if not slots.is_elided or axis.start(position) + axis.span - 1 in slots.indices
    ]
    last = axis.out - 1
    if last >= len(positions) and (not slots.is_elided or axis.start(last) in slots.indices):
        if last > len(positions):
            positions.append(-1)  # an elision marker
        positions.append(last)
    return positions


def sliding_window_diagram(
    height: Axis,
    width: Axis,
    *,
    title: str,
    layer_words: str,
    input_words: str = "input",
    prefix: str = "d",
) -> Diagram:
    """The padded input, the window at its first positions with rulers, and the output grid."""
    rows = axis_slots(height, windows=min(height.out, HEAD_WINDOWS))
    cols = axis_slots(width, windows=min(width.out, HEAD_WINDOWS))
    cell = max(12, min(26, 420 // max(rows.count, cols.count, 1)))
    ruler_cols = _ruler_positions(width, cols, HEAD_WINDOWS)
    ruler_rows = _ruler_positions(height, rows, HEAD_WINDOWS)
    ghost_w = width.out >= 0
    ghost_h = height.out >= 0
    top_rulers = (len(ruler_cols) + int(ghost_w)) * RULER_ROW
    left_rulers = (len(ruler_rows) + int(ghost_h)) * RULER_ROW
    margin = 10
    label_height = 34
    grid_x = margin + left_rulers + 8
    grid_y = margin + label_height + top_rulers + 8
    overhang_w = min(
        GHOST_OVERHANG_MAX,
        max(0, width.start(width.out) + width.span - width.length),
    )
    overhang_h = min(
        GHOST_OVERHANG_MAX,
        max(0, height.start(height.out) + height.span - height.length),
    )
    grid_w = cols.count * cell
    grid_h = rows.count * cell
    canvas = _Canvas()
    canvas.add(_DEFS.format(p=prefix, ink=INK))

    def x_of(index: int) -> float:
        return grid_x + cols.slot(index) * cell

    def y_of(index: int) -> float:
        return grid_y + rows.slot(index) * cell

    # The padded input.
    input_label = f"padded {input_words}: {height.length} × {width.length}"
    if height.pad_before == height.pad_after == width.pad_before == width.pad_after == 0:
        input_label = f"{input_words}: {height.length} × {width.length}"
    canvas.text(grid_x, margin + 13, input_label, font_weight="600", fill=INK)
    _draw_grid(canvas, height, width, rows, cols, grid_x, grid_y, cell, prefix)
    for col_slot, col in enumerate(cols.indices):
        if col is None:
            canvas.text(
                grid_x + col_slot * cell + cell / 2,
                grid_y + grid_h / 2 + 4,
                "⋯",
                text_anchor="middle",
                fill=MUTED,
                font_size=16,
            )
    for row_slot, row in enumerate(rows.indices):
        if row is None:
            canvas.text(
                grid_x + grid_w / 2,
                grid_y + row_slot * cell + cell * 0.75,
                "⋮",
                text_anchor="middle",
                fill=MUTED,
                font_size=16,
            )
    # Index labels under the grid (sparser when cells are small, never overlapping).
    step = 1 if cell >= 18 else 2
    last_slot = cols.count - 1
    for col_slot, col in enumerate(cols.indices):
        is_last = col_slot == last_slot
        is_tail = cols.is_elided and col_slot > cols.indices.index(None)
        if col is not None and (
            (col % step == 0 and not is_tail) or is_last or (is_tail and step == 1)
        ):
            canvas.text(
                grid_x + col_slot * cell + cell / 2,
                grid_y + grid_h + 12,
                str(col),
                text_anchor="middle",
                font_size=9,
                fill=MUTED,
            )

    # The window at its first position (taps filled), and its first jump across and down.
    if height.out > 0 and width.out > 0:
        for rank, (row_position, col_position) in enumerate(((0, 0), (0, 1), (1, 0))):
            if row_position >= height.out or col_position >= width.out:
                continue
            colour = WINDOW_COLOURS[max(row_position, col_position)]
            x0 = x_of(width.start(col_position))
            y0 = y_of(height.start(row_position))
            x1 = x_of(width.start(col_position) + width.span - 1) + cell
            y1 = y_of(height.start(row_position) + height.span - 1) + cell
            if rank == 0:
                for row in height.taps(0):
                    for col in width.taps(0):
                        if row < height.length and col < width.length:
                            canvas.rect(
                                x_of(col) + 2,
                                y_of(row) + 2,
                                cell - 4,
                                cell - 4,
                                fill=colour,
                                fill_opacity="0.28",
                            )
            canvas.rect(
                x0 + 1,
                y0 + 1,
                x1 - x0 - 2,
                y1 - y0 - 2,
                fill="none",
                stroke=colour,
                stroke_width=3 if rank == 0 else 2,
                stroke_dasharray=None if rank == 0 else "5 3",
                rx=2,
            )
    elif height.out <= 0 or width.out <= 0:
        x1 = x_of(width.span - 1) + cell if width.span <= width.length else None
        y1 = y_of(height.span - 1) + cell if height.span <= height.length else None
        right = x1 if x1 is not None else grid_x + grid_w + overhang_w * cell
        bottom = y1 if y1 is not None else grid_y + grid_h + overhang_h * cell
        canvas.rect(
            grid_x + 1,
            grid_y + 1,
            right - grid_x - 2,
            bottom - grid_y - 2,
            fill="none",
            stroke=GHOST_COLOUR,
            stroke_width=3,
            stroke_dasharray="6 3",
            rx=2,
        )

    # Rulers: one bar per window position drawn, dots on its taps, and the jump that fails.
    def horizontal_bar(level: int, position: int, colour: str, ghost: bool = False) -> None:
        y = grid_y - 8 - (len(ruler_cols) + int(ghost_w) - level) * RULER_ROW + RULER_ROW / 2
        start = width.start(position)
        end = start + width.span - 1
        x0 = x_of(start) + 2
        x1 = (
            (x_of(min(end, width.length - 1)) + cell - 2)
            if end < width.length
            else (grid_x + grid_w + min(end - width.length + 1, GHOST_OVERHANG_MAX) * cell - 2)
        )
        canvas.line(
            x0,
            y,
            x1,
            y,
            stroke=colour,
            stroke_width=3,
            stroke_linecap="round",
            stroke_dasharray="4 3" if ghost else None,
        )
        for tap in width.taps(position):
            if tap < width.length and (not cols.is_elided or tap in cols.indices):
                canvas.circle(x_of(tap) + cell / 2, y, 2.6, fill=colour)
        if ghost:
            canvas.text(x1 + 4, y + 4, "✗ does not fit", fill=GHOST_COLOUR, font_size=10)

    def vertical_bar(level: int, position: int, colour: str, ghost: bool = False) -> None:
        x = grid_x - 8 - (len(ruler_rows) + int(ghost_h) - level) * RULER_ROW + RULER_ROW / 2
        start = height.start(position)
        end = start + height.span - 1
        y0 = y_of(start) + 2
        y1 = (
            (y_of(min(end, height.length - 1)) + cell - 2)
            if end < height.length
            else (grid_y + grid_h + min(end - height.length + 1, GHOST_OVERHANG_MAX) * cell - 2)
        )
        canvas.line(
            x,
            y0,
            x,
            y1,
            stroke=colour,
            stroke_width=3,
            stroke_linecap="round",
            stroke_dasharray="4 3" if ghost else None,
        )
        for tap in height.taps(position):
            if tap < height.length and (not rows.is_elided or tap in rows.indices):
                canvas.circle(x, y_of(tap) + cell / 2, 2.6, fill=colour)

    level = 0
    for position in ruler_cols:
        if position == -1:
            y = grid_y - 8 - (len(ruler_cols) + int(ghost_w) - level) * RULER_ROW + RULER_ROW * 0.8
            canvas.text(grid_x + grid_w / 2, y, "⋯", text_anchor="middle", fill=MUTED)
        else:
            horizontal_bar(level, position, _window_colour(width, position))
        level += 1
    if ghost_w:
        horizontal_bar(level, max(width.out, 0), GHOST_COLOUR, ghost=True)
    level = 0
    for position in ruler_rows:
        if position != -1:
            vertical_bar(level, position, _window_colour(height, position))
        level += 1
    if ghost_h:
        vertical_bar(level, max(height.out, 0), GHOST_COLOUR, ghost=True)

    # The stride, written over the first jump.
    if width.out > 1:
        y = margin + label_height - 6
        x0 = x_of(0) + cell / 2
        x1 = x_of(width.start(1)) + cell / 2
        canvas.line(x0, y, x1, y, stroke=INK, stroke_width=1.4, marker_end=f"url(#{prefix}-arrow)")
        stride_words = f"stride {width.stride}"
        if width.transposed_stride > 1:
            stride_words = "stride 1 over the stretched input"
        canvas.text(max(x1 + 6, x0 + 30), y + 4, stride_words, fill=INK, font_size=11)

    # The output grid.
    arrow_room = max(70.0, _text_width(layer_words, 10) + 24)
    right = grid_x + grid_w + (overhang_w * cell if ghost_w else 0) + arrow_room
    width_total = right
    height_total = grid_y + grid_h + 24 + overhang_h * cell
    if height.out > 0 and width.out > 0:
        out_rows = _output_slots(height.out)
        out_cols = _output_slots(width.out)
        out_cell = cell
        arrow_y = grid_y + min(grid_h, len(out_rows) * out_cell) / 2
        canvas.line(
            right - arrow_room + 8,
            arrow_y,
            right - 14,
            arrow_y,
            stroke=INK,
            stroke_width=1.6,
            marker_end=f"url(#{prefix}-arrow)",
        )
        canvas.text(
            right - arrow_room / 2 - 3,
            arrow_y - 6,
            layer_words,
            text_anchor="middle",
            font_size=10,
            fill=MUTED,
        )
        output_label = f"output: {height.out} × {width.out}"
        canvas.text(right, margin + 13, output_label, font_weight="600", fill=INK)
        for row_slot, row in enumerate(out_rows):
            for col_slot, col in enumerate(out_cols):
                x, y = right + col_slot * out_cell, grid_y + row_slot * out_cell
                if row is None or col is None:
                    if (row is None) != (col is None) and (row == 0 or col == 0):
                        glyph = "⋮" if row is None else "⋯"
                        canvas.text(
                            x + out_cell / 2,
                            y + out_cell * 0.68,
                            glyph,
                            text_anchor="middle",
                            fill=MUTED,
                        )
                    continue
                fill = "#ffffff"
                if row == 0 and col in ruler_cols:
                    fill = _window_colour(width, col)
                elif col == 0 and row in ruler_rows:
                    fill = _window_colour(height, row)
                canvas.rect(
                    x,
                    y,
                    out_cell,
                    out_cell,
                    fill=fill,
                    fill_opacity="0.45" if fill != "#ffffff" else None,
                    stroke=GRID_LINE,
                    stroke_width=0.6,
                )
        width_total = right + max(len(out_cols) * out_cell, _text_width(output_label, 12))
        height_total = max(height_total, grid_y + len(out_rows) * out_cell + 24)
    else:
        canvas.text(right - 60, grid_y + 16, "no output:", fill=GHOST_COLOUR, font_weight="600")
        canvas.text(right - 60, grid_y + 32, "torch raises", fill=GHOST_COLOUR)
        width_total = right + 40

    # A legend.
    legend_y = height_total + 4
    canvas.rect(margin, legend_y, 12, 12, fill=f"url(#{prefix}-hatch)", stroke=GRID_LINE)
    canvas.text(margin + 17, legend_y + 10, "padding", font_size=11, fill=INK)
    canvas.rect(
        margin + 80,
        legend_y,
        12,
        12,
        fill=WINDOW_COLOURS[0],
        fill_opacity="0.28",
        stroke=WINDOW_COLOURS[0],
    )
    canvas.text(margin + 97, legend_y + 10, "first window", font_size=11, fill=INK)
    legend_x = margin + 190
    if any(ZERO in axis.cells for axis in (height, width)):
        canvas.rect(legend_x, legend_y, 12, 12, fill="#f3f4f6", stroke=GRID_LINE)
        canvas.text(legend_x + 17, legend_y + 10, "inserted zero", font_size=11, fill=INK)
        legend_x += 100
    if any(EXTRA in axis.cells for axis in (height, width)):
        canvas.rect(legend_x, legend_y, 12, 12, fill=f"url(#{prefix}-extra)", stroke=GRID_LINE)
        canvas.text(legend_x + 17, legend_y + 10, "output_padding", font_size=11, fill=INK)
    height_total = legend_y + 20
    width_total = max(width_total, legend_x + 120) + margin

    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram-svg" role="img" '
        f'aria-labelledby="{prefix}-title" viewBox="0 0 {width_total:g} {height_total:g}" '
        f'width="{width_total:g}" height="{height_total:g}" '
        f'style="max-width: {width_total * 1.3:g}px" font-family="system-ui, sans-serif" '
        f'font-size="12"><title id="{prefix}-title">{escape(title)}</title>'
        + "".join(canvas.parts)
        + "</svg>"
    )
    return Diagram(title=title, svg=svg, description=[])


def _blocks(slots: Slots) -> list[tuple[int, int]]:
    """Runs of consecutive drawn slots, as (first slot, slot after the last)."""
    blocks: list[tuple[int, int]] = []
    start = 0
    for slot, index in enumerate(slots.indices):
        if index is None:
            if slot > start:
                blocks.append((start, slot))
            start = slot + 1
    if start < slots.count:
        blocks.append((start, slots.count))
    return blocks


def _draw_grid(
    canvas: _Canvas,
    height: Axis,
    width: Axis,
    rows: Slots,
    cols: Slots,
    grid_x: float,
    grid_y: float,
    cell: float,
    prefix: str,
) -> None:
    """The padded input, block by block: whole padded rows and columns, then the grid lines.

    Drawing rows and columns rather than one rectangle per pixel keeps a big grid's SVG small.
    """
    for row_start, row_end in _blocks(rows):
        for col_start, col_end in _blocks(cols):
            x0, y0 = grid_x + col_start * cell, grid_y + row_start * cell
            block_w, block_h = (col_end - col_start) * cell, (row_end - row_start) * cell
            canvas.rect(x0, y0, block_w, block_h, fill="#ffffff")
            zero_rows = []
            for slot in range(row_start, row_end):
                kind = height.cells[rows.indices[slot]]  # type: ignore[index]
                if kind in (PAD, EXTRA):
                    canvas.rect(
                        x0, grid_y + slot * cell, block_w, cell, fill=_cell_fill(kind, prefix)
                    )
                elif kind == ZERO:
                    zero_rows.append(slot)
            zero_cols = []
            for slot in range(col_start, col_end):
                kind = width.cells[cols.indices[slot]]  # type: ignore[index]
                if kind in (PAD, EXTRA):
                    canvas.rect(
                        grid_x + slot * cell, y0, cell, block_h, fill=_cell_fill(kind, prefix)
                    )
                elif kind == ZERO:
                    zero_cols.append(slot)
            # Inserted zeros: every cell in a zero row or column that is not padding.
            for row_slot in range(row_start, row_end):
                row_kind = height.cells[rows.indices[row_slot]]  # type: ignore[index]
                if row_kind in (PAD, EXTRA):
                    continue
                for col_slot in range(col_start, col_end):
                    col_kind = width.cells[cols.indices[col_slot]]  # type: ignore[index]
                    if col_kind in (PAD, EXTRA) or ZERO not in (row_kind, col_kind):
                        continue
                    x, y = grid_x + col_slot * cell, grid_y + row_slot * cell
                    canvas.rect(x, y, cell, cell, fill="#f3f4f6")
                    if cell >= 14:
                        canvas.text(
                            x + cell / 2,
                            y + cell * 0.68,
                            "0",
                            text_anchor="middle",
                            fill=MUTED,
                            font_size=f"{cell * 0.45:g}",
                        )
            lines = [
                f"M{x0:g},{grid_y + slot * cell:g}h{block_w:g}"
                for slot in range(row_start, row_end + 1)
            ] + [
                f"M{grid_x + slot * cell:g},{y0:g}v{block_h:g}"
                for slot in range(col_start, col_end + 1)
            ]
            canvas.add(
                f'<path d="{"".join(lines)}" stroke="{GRID_LINE}" stroke-width="0.6" fill="none"/>'
            )


def _text_width(text: str, size: float) -> float:
    """A generous estimate of a label's width in the default sans-serif font."""
    return len(text) * size * 0.62


def _output_slots(count: int) -> tuple[int | None, ...]:
    if count <= 8:
        return tuple(range(count))
    return (0, 1, 2, 3, None, count - 1)


# ---------------------------------------------------------------------------------------------
# The padded values of a padding-mode question.


def padding_values_diagram(
    values: Sequence[Sequence[int]],
    padding: Sequence[int],
    mode: str,
    *,
    row: int | None = None,
    prefix: str = "d",
) -> Diagram | None:
    left, right, top, bottom = (int(v) for v in padding)
    height, width = len(values), len(values[0]) if values else 0
    if not (
        height
        and width
        and padding_fits(width, left, right, mode)
        and padding_fits(height, top, bottom, mode)
    ):
        return None
    grid = pad_grid(values, left, right, top, bottom, mode)
    cell = 30
    margin = 10
    grid_x, grid_y = margin + 36, margin + 26
    canvas = _Canvas()
    canvas.add(_DEFS.format(p=prefix, ink=INK))
    canvas.text(
        grid_x,
        margin + 12,
        f"{mode} padding (left {left}, right {right}, top {top}, bottom {bottom})",
        font_weight="600",
        fill=INK,
    )
    for r, values_row in enumerate(grid):
        is_pad_row = r < top or r >= top + height
        if row is not None and r == row:
            canvas.text(
                margin,
                grid_y + r * cell + cell * 0.65,
                f"row {r}",
                font_size=10,
                fill=INK,
                font_weight="600",
            )
        for c, value in enumerate(values_row):
            is_pad = is_pad_row or c < left or c >= left + width
            x, y = grid_x + c * cell, grid_y + r * cell
            canvas.rect(
                x,
                y,
                cell,
                cell,
                fill=f"url(#{prefix}-hatch)" if is_pad else "#ffffff",
                stroke=GRID_LINE,
                stroke_width=0.8,
            )
            canvas.text(
                x + cell / 2,
                y + cell * 0.66,
                str(value),
                text_anchor="middle",
                font_size=13,
                fill=INK if not is_pad else "#3b4148",
                font_weight=None if is_pad else "600",
            )
    canvas.rect(
        grid_x + left * cell,
        grid_y + top * cell,
        width * cell,
        height * cell,
        fill="none",
        stroke=INK,
        stroke_width=2,
    )
    if row is not None and 0 <= row < len(grid):
        canvas.rect(
            grid_x - 2,
            grid_y + row * cell - 2,
            len(grid[0]) * cell + 4,
            cell + 4,
            fill="none",
            stroke=WINDOW_COLOURS[0],
            stroke_width=3,
            rx=3,
        )
    width_total = grid_x + len(grid[0]) * cell + margin + 120
    height_total = grid_y + len(grid) * cell + margin
    title = f"The {height}×{width} input padded with mode '{mode}'"
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram-svg" role="img" '
        f'aria-labelledby="{prefix}-title" viewBox="0 0 {width_total} {height_total}" '
        f'width="{width_total}" height="{height_total}" style="max-width: {width_total * 1.3:g}px" '
        f'font-family="system-ui, sans-serif" '
        f'font-size="12"><title id="{prefix}-title">{escape(title)}</title>'
        + "".join(canvas.parts)
        + "</svg>"
    )
    description = [
        f"The input is {height} × {width}, drawn with a dark border; the shaded ring is the "
        f"padding ({left} left, {right} right, {top} on top, {bottom} at the bottom), filled in "
        f"'{mode}' mode.",
    ]
    description += [
        f"Row {r}{' (the one asked about)' if r == row else ''}: "
        + ", ".join(str(value) for value in values_row)
        + "."
        for r, values_row in enumerate(grid)
    ]
    return Diagram(title=title, svg=svg, description=description, kind="padding")
