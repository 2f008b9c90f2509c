"""Mistakes in nn.MaxPool2d / nn.AvgPool2d output sizes, one dimension at a time.

Every ``wrong_answer`` here takes (size, kernel_size, stride, padding, dilation, ceil_mode), where
``stride`` is None when the layer's code leaves it out (torch then uses kernel_size), and returns
the output size the mistake gives, or None where the mistake changes nothing or does not apply.
The generic formula slips (padding once, no + 1, ...) reuse the ids of ``conv`` with pooling's
rounding, so one id names one slip in every family.
"""

from __future__ import annotations

from quizzes.misconceptions import Misconception, register
from quizzes.misconceptions.conv import (
    FORGOT_PLUS_ONE,
    IGNORED_DILATION,
    IGNORED_PADDING,
    KERNEL_NOT_SUBTRACTED,
    PADDING_NOT_DOUBLED,
    PLUS_ONE_INSIDE_DIVISION,
)
from quizzes.shapes import pool_output_size


def _rounded(numerator: int, stride: int, ceil_mode: bool) -> int:
    return -(-numerator // stride) if ceil_mode else numerator // stride


def assumed_stride_one(
    size: int, kernel: int, stride: int | None, padding: int, dilation: int, ceil_mode: bool
) -> int | None:
    if stride is not None or kernel == 1:
        return None
    return pool_output_size(size, kernel, 1, padding, dilation, ceil_mode)


def floored_in_ceil_mode(
    size: int, kernel: int, stride: int | None, padding: int, dilation: int, ceil_mode: bool
) -> int | None:
    if not ceil_mode:
        return None
    return pool_output_size(size, kernel, stride, padding, dilation, False)


def _ceil_without_ceil_mode(
    size: int, kernel: int, stride: int | None, padding: int, dilation: int, ceil_mode: bool
) -> int | None:
    if ceil_mode:
        return None
    step = kernel if stride is None else stride
    return _rounded(size + 2 * padding - dilation * (kernel - 1) - 1, step, True) + 1


def kept_window_in_padding(
    size: int, kernel: int, stride: int | None, padding: int, dilation: int, ceil_mode: bool
) -> int | None:
    if not ceil_mode:
        return None
    step = kernel if stride is None else stride
    return _rounded(size + 2 * padding - dilation * (kernel - 1) - 1, step, True) + 1


def _padding_once(
    size: int, kernel: int, stride: int | None, padding: int, dilation: int, ceil_mode: bool
) -> int | None:
    if padding == 0:
        return None
    step = kernel if stride is None else stride
    return _rounded(size + padding - dilation * (kernel - 1) - 1, step, ceil_mode) + 1


def _no_plus_one(
    size: int, kernel: int, stride: int | None, padding: int, dilation: int, ceil_mode: bool
) -> int | None:
    step = kernel if stride is None else stride
    return _rounded(size + 2 * padding - dilation * (kernel - 1) - 1, step, ceil_mode)


def _ignored_dilation(
    size: int, kernel: int, stride: int | None, padding: int, dilation: int, ceil_mode: bool
) -> int | None:
    if dilation == 1:
        return None
    return pool_output_size(size, kernel, stride, padding, 1, ceil_mode)


def _ignored_padding(
    size: int, kernel: int, stride: int | None, padding: int, dilation: int, ceil_mode: bool
) -> int | None:
    if padding == 0:
        return None
    step = kernel if stride is None else stride
    return _rounded(size - dilation * (kernel - 1) - 1, step, ceil_mode) + 1


def _plus_one_inside(
    size: int, kernel: int, stride: int | None, padding: int, dilation: int, ceil_mode: bool
) -> int | None:
    step = kernel if stride is None else stride
    if step == 1:
        return None
    return _rounded(size + 2 * padding - dilation * (kernel - 1), step, ceil_mode)


def _kernel_not_subtracted(
    size: int, kernel: int, stride: int | None, padding: int, dilation: int, ceil_mode: bool
) -> int | None:
    step = kernel if stride is None else stride
    return _rounded(size + 2 * padding, step, ceil_mode)


POOL_STRIDE_ASSUMED_ONE = register(
    Misconception(
        id="pool_stride_assumed_one",
        title="Assumed a pooling layer's stride defaults to 1",
        explanation=(
            "nn.MaxPool2d and nn.AvgPool2d default stride to kernel_size (stride=None means "
            "stride = kernel_size), so MaxPool2d(2) halves the map; only Conv2d defaults to 1."
        ),
        hint="Look up what stride=None means for nn.MaxPool2d.",
        wrong_answer=assumed_stride_one,
    )
)
POOL_CEIL_MODE_IGNORED = register(
    Misconception(
        id="pool_ceil_mode_ignored",
        title="Floored although ceil_mode=True",
        explanation=(
            "With ceil_mode=True the division by the stride is rounded up, so a last window "
            "that hangs over the edge still produces an output."
        ),
        hint="What does ceil_mode=True change in the output-size formula?",
        wrong_answer=floored_in_ceil_mode,
    )
)
POOL_CEIL_WITHOUT_CEIL_MODE = register(
    Misconception(
        id="pool_ceil_without_ceil_mode",
        title="Rounded up although ceil_mode is False",
        explanation=(
            "ceil_mode defaults to False: pooling floors the division like Conv2d, so a window "
            "that would run past the padded edge is dropped."
        ),
        hint="Is ceil_mode on in this layer? What is its default?",
        wrong_answer=_ceil_without_ceil_mode,
    )
)
POOL_CEIL_LAST_WINDOW_RULE = register(
    Misconception(
        id="pool_ceil_last_window_rule",
        title="Kept a last ceil_mode window that starts in the padding",
        explanation=(
            "With ceil_mode=True torch drops the last window when it would start in the right "
            "padding, that is when (out − 1)·stride ≥ in + padding: rounding up alone counts one "
            "window too many."
        ),
        hint="Where does the last window start? Is that inside the input, or in the padding?",
        wrong_answer=kept_window_in_padding,
    )
)
POOL_PADDING_LIMIT_IGNORED = register(
    Misconception(
        id="pool_padding_limit_ignored",
        title="Ignored the pooling padding limit",
        explanation=(
            "Pooling layers only accept padding up to half the kernel size (padding ≤ "
            "kernel_size / 2); beyond that torch raises a RuntimeError before computing anything, "
            "whatever the formula would give."
        ),
        hint="Is there a limit on how much padding a pooling layer accepts?",
    )
)
POOL_PADDING_LIMIT_MISREAD = register(
    Misconception(
        id="pool_padding_limit_misread",
        title="Misjudged the pooling padding limit",
        explanation=(
            "torch accepts any pooling padding up to and including kernel_size / 2 (for example "
            "padding=1 with kernel_size=2 or 3); only more than half raises."
        ),
        hint="Compare 2 × padding with kernel_size: which one is larger?",
    )
)

#: Ordered from most to least common: the first mistake giving a wrong value names it.
_ONE_DIMENSION_FUNCTIONS = (
    (POOL_STRIDE_ASSUMED_ONE.id, assumed_stride_one),
    (POOL_CEIL_MODE_IGNORED.id, floored_in_ceil_mode),
    (POOL_CEIL_LAST_WINDOW_RULE.id, kept_window_in_padding),
    (POOL_CEIL_WITHOUT_CEIL_MODE.id, _ceil_without_ceil_mode),
    (PADDING_NOT_DOUBLED.id, _padding_once),
    (FORGOT_PLUS_ONE.id, _no_plus_one),
    (IGNORED_DILATION.id, _ignored_dilation),
    (IGNORED_PADDING.id, _ignored_padding),
    (PLUS_ONE_INSIDE_DIVISION.id, _plus_one_inside),
    (KERNEL_NOT_SUBTRACTED.id, _kernel_not_subtracted),
)


def pool_dimension_mistakes(
    size: int,
    kernel: int,
    stride: int | None,
    padding: int,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> list[tuple[str, int]]:
    """(misconception id, wrong output size) for every mistake that changes this answer."""
    right = pool_output_size(size, kernel, stride, padding, dilation, ceil_mode)
    result = []
    for identifier, wrong_answer in _ONE_DIMENSION_FUNCTIONS:
        wrong = wrong_answer(size, kernel, stride, padding, dilation, ceil_mode)
        if wrong is not None and wrong > 0 and wrong != right:
            result.append((identifier, wrong))
    return result
