"""One axis of a sliding window: its padded cells, window positions, drawn slots and words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from quizzes.shapes import pool_output_size

PAD, INPUT, ZERO, EXTRA = "pad", "in", "zero", "extra"
MAX_SLOTS = 20  # a dimension longer than this is elided in the middle
HEAD_WINDOWS = 3  # window positions drawn from the start of an axis
TAIL_CELLS_MAX = 8

# ---------------------------------------------------------------------------------------------
# One axis of a sliding window.


@dataclass(frozen=True)
class Axis:
    name: str  # "height" or "width"
    size: int  # input pixels along this axis, before padding
    cells: tuple[str, ...]  # what each position of the padded axis holds
    kernel: int
    stride: int
    dilation: int
    out: int  # output positions (0: not even one window fits)
    pad_before: int
    pad_after: int
    ceil_mode: bool = False
    transposed_stride: int = 1  # for a transposed convolution: the zeros inserted per gap + 1
    output_padding: int = 0

    @property
    def length(self) -> int:
        return len(self.cells)

    @property
    def span(self) -> int:
        return self.dilation * (self.kernel - 1) + 1

    def start(self, position: int) -> int:
        return position * self.stride

    def taps(self, position: int) -> list[int]:
        return [self.start(position) + tap * self.dilation for tap in range(self.kernel)]

    @property
    def unit(self) -> str:
        return "row" if self.name == "height" else "column"


def conv_axis(
    name: str,
    size: int,
    kernel: int,
    stride: int = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int = 1,
) -> Axis:
    before, after = (padding, padding) if isinstance(padding, int) else padding
    length = size + before + after
    span = dilation * (kernel - 1) + 1
    out = (length - span) // stride + 1 if length >= span else 0
    cells = (PAD,) * before + (INPUT,) * size + (PAD,) * after
    return Axis(name, size, cells, kernel, stride, dilation, out, before, after)


def pool_axis(
    name: str,
    size: int,
    kernel: int,
    stride: int | None,
    padding: int,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> Axis:
    stride = kernel if stride is None else stride
    axis = conv_axis(name, size, kernel, stride, padding, dilation)
    out = max(0, pool_output_size(size, kernel, stride, padding, dilation, ceil_mode))
    return Axis(name, size, axis.cells, kernel, stride, dilation, out, padding, padding, ceil_mode)


def transposed_axis(
    name: str,
    size: int,
    kernel: int,
    stride: int = 1,
    padding: int = 0,
    output_padding: int = 0,
    dilation: int = 1,
) -> Axis | None:
    """The equivalent direct convolution, or None when padding crops more than the ring adds."""
    ring = dilation * (kernel - 1) - padding
    if ring < 0 or size < 1:
        return None
    body: list[str] = []
    for index in range(size):
        body.append(INPUT)
        if index < size - 1:
            body.extend([ZERO] * (stride - 1))
    cells = (PAD,) * ring + tuple(body) + (PAD,) * ring + (EXTRA,) * output_padding
    span = dilation * (kernel - 1) + 1
    out = len(cells) - span + 1
    return Axis(
        name,
        size,
        cells,
        kernel,
        1,
        dilation,
        out,
        ring,
        ring,
        transposed_stride=stride,
        output_padding=output_padding,
    )


# ---------------------------------------------------------------------------------------------
# Which positions of a long axis are drawn.


@dataclass(frozen=True)
class Slots:
    """Display slots of an axis: a logical index per slot, None for the elided middle."""

    indices: tuple[int | None, ...]
    length: int

    def slot(self, index: int) -> float:
        """The slot where ``index`` is drawn (fractional past the end, for overhanging windows)."""
        if index >= self.length:
            return len(self.indices) + (index - self.length)
        previous_gap = 0
        for slot, value in enumerate(self.indices):
            if value is None:
                previous_gap = slot
                continue
            if value == index:
                return slot
            if value > index:
                return previous_gap
        return len(self.indices) - 1

    @property
    def count(self) -> int:
        return len(self.indices)

    @property
    def is_elided(self) -> bool:
        return None in self.indices


def _shown_windows(axis: Axis) -> int:
    return min(axis.out, HEAD_WINDOWS)


def axis_slots(axis: Axis, *, windows: int | None = None) -> Slots:
    length = axis.length
    if length <= MAX_SLOTS:
        return Slots(tuple(range(length)), length)
    windows = _shown_windows(axis) if windows is None else windows
    head = max(axis.start(max(windows - 1, 0)) + axis.span, 4)
    last_start = axis.start(axis.out - 1) if axis.out > 0 else length
    tail_start = last_start if length - last_start <= TAIL_CELLS_MAX else length - 3
    tail_start = max(tail_start, length - TAIL_CELLS_MAX)
    if tail_start <= head:
        return Slots(tuple(range(length)), length)
    return Slots((*range(head), None, *range(tail_start, length)), length)


# ---------------------------------------------------------------------------------------------
# Text alternative.


def _numbers(values: Sequence[int], limit: int = 6) -> str:
    if len(values) > limit:
        shown = [str(v) for v in values[:3]] + ["…"] + [str(values[-1])]
        return ", ".join(shown) + f" ({len(values)} positions)"
    words = [str(v) for v in values]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " and " + words[-1]


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def describe_axis(axis: Axis) -> str:
    unit = axis.unit
    parts: list[str] = []
    window = f"{axis.kernel}-pixel window"
    if axis.dilation > 1:
        window = (
            f"{axis.kernel}-tap window (taps {axis.dilation} apart, dilation {axis.dilation}, so "
            f"it spans {axis.span} {unit}s)"
        )
    if axis.out <= 0:
        return (
            f"Along the {axis.name}, the {window} needs {axis.span} {unit}s but the padded input "
            f"has only {axis.length}: not even one window fits, so torch refuses to run the layer."
        )
    starts = [axis.start(position) for position in range(axis.out)]
    parts.append(
        f"Along the {axis.name}, the {window} starts at {unit} 0 of the padded input and jumps "
        f"{axis.stride} {unit}{'' if axis.stride == 1 else 's'} at a time: it starts at "
        f"{unit}s {_numbers(starts)}."
    )
    last = starts[-1]
    last_end = last + axis.span - 1
    if last_end > axis.length - 1:
        parts.append(
            f"With ceil_mode=True the last window, at {unit} {last}, is kept although it hangs "
            f"past the edge ({unit} {axis.length - 1}); it pools only the pixels it covers."
        )
    else:
        covers = f"{unit} {last}" if last == last_end else f"{unit}s {last} to {last_end}"
        parts.append(f"The last window covers {covers}.")
    ghost = axis.start(axis.out)
    ghost_end = ghost + axis.span - 1
    reason = f"past the edge at {unit} {axis.length - 1}"
    if axis.ceil_mode and ghost < axis.length:
        reason = f"and would start in the right padding, which torch never allows ({reason})"
    need = f"{unit} {ghost}" if ghost == ghost_end else f"{unit}s {ghost} to {ghost_end}"
    parts.append(
        f"One more jump would start at {unit} {ghost} and need {need}, {reason}, so it does not "
        f"count. That gives {plural(axis.out, 'output ' + unit)}."
    )
    return " ".join(parts)


def padding_sentence(height: Axis, width: Axis, kind_word: str) -> str:
    pads = {height.pad_before, height.pad_after, width.pad_before, width.pad_after}
    if pads == {0}:
        return f"There is no padding, so the window slides over the {kind_word} itself."
    if len(pads) == 1:
        ring = f"Padding adds {plural(height.pad_before, 'pixel')} on every side (shaded)"
    else:
        ring = (
            f"Padding adds {height.pad_before} on top, {height.pad_after} at the bottom, "
            f"{width.pad_before} on the left and {width.pad_after} on the right (shaded)"
        )
    return f"{ring}, so the window slides over {height.length} × {width.length}."
