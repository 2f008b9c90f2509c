"""The padding modes' rules, and the classic ways of getting them wrong.

``pad_items(items, before, after, mode)`` is torch's rule for one dimension (``zeros``,
``reflect``, ``replicate``, ``circular``); ``pad_grid`` applies it to the width, then the height, as
nn.ReflectionPad2d & co. do (the 2-D modes are separable, corners included). Each misconception's
``wrong_answer`` takes (grid, left, right, top, bottom, mode, row) and returns row ``row`` of the
grid padded by the mistaken rule, or None where the mistake does not apply to that mode (questions
ask for one row, so only that row is ever computed).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from quizzes.misconceptions import Misconception, register

Grid = list[list[int]]
MODES = ("zeros", "reflect", "replicate", "circular")


def pad_items(items: Sequence[Any], before: int, after: int, mode: str, zero: Any = 0) -> list:
    """One dimension padded the way torch does it (reflect needs before, after < len(items))."""
    items = list(items)
    if mode == "zeros":
        return [zero] * before + items + [zero] * after
    if mode == "reflect":
        # Mirror around the edge value without repeating it: x[before], ..., x[1] | x | x[-2], ...
        return items[1 : before + 1][::-1] + items + items[len(items) - 1 - after : -1][::-1]
    if mode == "replicate":
        return [items[0]] * before + items + [items[-1]] * after
    if mode == "circular":
        return items[len(items) - before :] + items + items[:after]
    if mode == "symmetric":  # numpy's mode, not torch's: the edge value is repeated
        return items[:before][::-1] + items + items[::-1][:after]
    if mode == "circular_wrong_side":
        return items[:before] + items + items[len(items) - after :]
    raise ValueError(f"unknown padding mode {mode!r}")


def pad_grid(
    grid: Sequence[Sequence[int]], left: int, right: int, top: int, bottom: int, mode: str
) -> Grid:
    """A 2-D grid padded by (left, right, top, bottom): the width first, then the height."""
    rows = [pad_items(row, left, right, mode) for row in grid]
    zero_row = [0] * len(rows[0])
    return pad_items(rows, top, bottom, mode, zero_row)


def fits(size: int, before: int, after: int, mode: str) -> bool:
    """Whether torch accepts this padding of a dimension of ``size`` in ``mode``."""
    if mode == "reflect":
        return before < size and after < size
    if mode == "circular":
        return before <= size and after <= size
    return True


def source_index(size: int, before: int, after: int, mode: str, position: int) -> int | None:
    """Which input index lands at ``position`` of the padded dimension (None: a zero or none).

    The same rule as ``pad_items``, for one position, without building the padded list.
    """
    offset = position - before
    if 0 <= offset < size:
        return offset
    if offset < 0:
        if position < 0 or mode == "zeros":
            return None
        if mode == "reflect":
            return -offset
        if mode == "replicate":
            return 0
        if mode == "circular":
            return size + offset
        if mode == "symmetric":
            return -offset - 1
        return position  # circular_wrong_side
    beyond = offset - size
    if beyond >= after or mode == "zeros":
        return None
    if mode == "reflect":
        return size - 2 - beyond
    if mode == "replicate":
        return size - 1
    if mode == "circular":
        return beyond
    if mode == "symmetric":
        return size - 1 - beyond
    return size - after + beyond  # circular_wrong_side


def padded_row(
    grid: Sequence[Sequence[int]],
    left: int,
    right: int,
    top: int,
    bottom: int,
    mode: str,
    row: int,
) -> list | None:
    """Row ``row`` of ``pad_grid(...)`` without padding the other rows (None: no such row)."""
    height = len(grid)
    if not 0 <= row < height + top + bottom:
        return None
    source = source_index(height, top, bottom, mode, row)
    if source is None:
        return [0] * (len(grid[0]) + left + right)
    return pad_items(grid[source], left, right, mode)


def _as(mode: str, wrong_mode: str):
    def wrong_answer(
        grid: Grid, left: int, right: int, top: int, bottom: int, asked_mode: str, row: int
    ) -> list | None:
        if asked_mode != mode:
            return None
        if not (
            fits(len(grid[0]), left, right, wrong_mode) and fits(len(grid), top, bottom, wrong_mode)
        ):
            return None
        return padded_row(grid, left, right, top, bottom, wrong_mode, row)

    return wrong_answer


def _symmetric(
    grid: Grid, left: int, right: int, top: int, bottom: int, mode: str, row: int
) -> list | None:
    if mode != "reflect" or max(left, right) > len(grid[0]) or max(top, bottom) > len(grid):
        return None
    return padded_row(grid, left, right, top, bottom, "symmetric", row)


def _reflect_replicate_swapped(
    grid: Grid, left: int, right: int, top: int, bottom: int, mode: str, row: int
) -> list | None:
    other = {"reflect": "replicate", "replicate": "reflect"}.get(mode)
    if other is None or not (
        fits(len(grid[0]), left, right, other) and fits(len(grid), top, bottom, other)
    ):
        return None
    return padded_row(grid, left, right, top, bottom, other, row)


def _circular_wrong_side(
    grid: Grid, left: int, right: int, top: int, bottom: int, mode: str, row: int
) -> list | None:
    if mode != "circular":
        return None
    return padded_row(grid, left, right, top, bottom, "circular_wrong_side", row)


def _tuple_order(
    grid: Grid, left: int, right: int, top: int, bottom: int, mode: str, row: int
) -> list | None:
    if (left, right) == (top, bottom) or left + right != top + bottom:
        return None  # same answer, or a row of another length (the parser rejects those)
    if not (fits(len(grid[0]), top, bottom, mode) and fits(len(grid), left, right, mode)):
        return None
    return padded_row(grid, top, bottom, left, right, mode, row)


REFLECT_AS_SYMMETRIC = register(
    Misconception(
        id="pad_reflect_as_symmetric",
        title="Repeated the edge value in reflect padding",
        explanation=(
            "torch's reflect mirrors around the edge value without repeating it: [1, 2, 3] "
            "padded by 2 on the left starts 3, 2, 1. Repeating the edge (2, 1, 1, ...) is "
            "numpy's 'symmetric' mode, which torch does not have."
        ),
        hint="In reflect mode, does the edge value itself appear twice?",
        wrong_answer=_symmetric,
    )
)
REFLECT_REPLICATE_SWAPPED = register(
    Misconception(
        id="pad_reflect_replicate_swapped",
        title="Mixed up reflect and replicate",
        explanation=(
            "replicate repeats the edge value (1, 1 | 1, 2, 3); reflect mirrors the values "
            "next to the edge (3, 2 | 1, 2, 3)."
        ),
        hint="Which of the two modes copies the edge value over and over?",
        wrong_answer=_reflect_replicate_swapped,
    )
)
CIRCULAR_WRONG_SIDE = register(
    Misconception(
        id="pad_circular_wrong_side",
        title="Wrapped circular padding from the wrong side",
        explanation=(
            "circular padding treats the dimension as a loop: the left padding continues from "
            "the right end (…, 4, 5 | 1, 2, …) and the right padding from the left end."
        ),
        hint="Walking left off the first value of a loop, which value do you reach?",
        wrong_answer=_circular_wrong_side,
    )
)
TUPLE_ORDER = register(
    Misconception(
        id="pad_tuple_order",
        title="Read the padding tuple in the wrong order",
        explanation=(
            "A padding tuple for nn.*Pad2d and F.pad starts with the LAST dimension: "
            "(left, right, top, bottom) pads the width first, then the height."
        ),
        hint="Which dimension do the first two numbers of (a, b, c, d) pad?",
        wrong_answer=_tuple_order,
    )
)
ZEROS_AS_REPLICATE = register(
    Misconception(
        id="pad_zeros_as_replicate",
        title="Thought zero padding copies the edge",
        explanation=(
            "'zeros' (F.pad's 'constant' with value 0, nn.ZeroPad2d) fills the border with 0."
        ),
        hint="What value does zero padding put in the border?",
        wrong_answer=_as("zeros", "replicate"),
    )
)
CIRCULAR_AS_REFLECT = register(
    Misconception(
        id="pad_circular_as_reflect",
        title="Mirrored instead of wrapping around",
        explanation=(
            "circular does not mirror: it copies the values from the opposite end, in their "
            "original order."
        ),
        hint="Is the border of a circular pad in the original order or reversed?",
        wrong_answer=_as("circular", "reflect"),
    )
)
MODE_CONFUSED = register(
    Misconception(
        id="pad_mode_confused",
        title="Used another padding mode's rule",
        explanation=(
            "zeros fills with 0, reflect mirrors without repeating the edge, replicate repeats "
            "the edge, circular wraps around from the opposite end."
        ),
        hint="Say in words what each of the four modes puts next to the first value.",
    )
)
REFLECT_LIMIT = register(
    Misconception(
        id="pad_reflect_limit",
        title="Did not know reflect padding's limit",
        explanation=(
            "Reflect padding mirrors the values next to the edge, so a dimension of size n has "
            "only n − 1 of them: torch requires padding < n and raises a RuntimeError otherwise."
        ),
        hint="How many values can reflect padding mirror before it runs out?",
    )
)
CIRCULAR_LIMIT = register(
    Misconception(
        id="pad_circular_limit",
        title="Did not know circular padding's limit",
        explanation=(
            "Circular padding may wrap around at most once: padding up to the size of the "
            "dimension works, more raises 'Padding value causes wrapping around more than once.'"
        ),
        hint="How far can you walk around the loop before you come back past your start?",
    )
)
LIMIT_OVERAPPLIED = register(
    Misconception(
        id="pad_limit_overapplied",
        title="Expected an error that torch does not raise",
        explanation=(
            "Only reflect (padding < size) and circular (padding ≤ size) have limits; "
            "replicate and zeros accept any padding, and these sizes are within the limits."
        ),
        hint="Which modes have a limit at all, and is it < or ≤ the size?",
    )
)
MODE_CHANGES_SHAPE = register(
    Misconception(
        id="pad_mode_changes_shape",
        title="Thought the padding mode changes the shape",
        explanation=(
            "padding_mode only decides the values in the border; the number of border pixels, "
            "and so the output shape, comes from padding alone."
        ),
        hint="Does padding_mode appear anywhere in the output-size formula?",
    )
)

#: Value-question mistakes, most common first: the first one giving a wrong row names it.
VALUE_MISTAKES = (
    REFLECT_AS_SYMMETRIC,
    REFLECT_REPLICATE_SWAPPED,
    CIRCULAR_WRONG_SIDE,
    TUPLE_ORDER,
    ZEROS_AS_REPLICATE,
    CIRCULAR_AS_REFLECT,
)
_VALUE_FUNCTIONS = tuple((m.id, m.wrong_answer) for m in VALUE_MISTAKES)


#: The mistakes that can apply to each mode, so value_mistakes skips the rest at once.
_APPLIES = {
    "zeros": {"pad_tuple_order", "pad_zeros_as_replicate"},
    "reflect": {"pad_reflect_as_symmetric", "pad_reflect_replicate_swapped", "pad_tuple_order"},
    "replicate": {"pad_reflect_replicate_swapped", "pad_tuple_order"},
    "circular": {"pad_circular_wrong_side", "pad_tuple_order", "pad_circular_as_reflect"},
}
_FUNCTIONS_BY_MODE = {
    mode: tuple((i, f) for i, f in _VALUE_FUNCTIONS if i in applies)
    for mode, applies in _APPLIES.items()
}


def value_mistakes(
    grid: Grid, left: int, right: int, top: int, bottom: int, mode: str, row: int
) -> list[tuple[str, list]]:
    """(misconception id, wrong row ``row``) for every mistake that applies to this mode."""
    result = []
    for identifier, wrong_answer in _FUNCTIONS_BY_MODE[mode]:
        wrong = wrong_answer(grid, left, right, top, bottom, mode, row)
        if wrong is not None:
            result.append((identifier, wrong))
    return result
