"""One walk of a layer stack that replays the right formula and every stack slip at once.

A stack question needs the right walk, the thirteen per-layer slips of ``stacks._CHAINED_RULES``
replayed through the chain, and the two stack-level slips (pools ignored, a kernel that exactly
fills the map taken to fail). Walking the stack once per slip, each layer through a rule function,
was most of a stack question's time; here every walker carries its own size through one loop and
each layer's formulas are inlined. ``tests/quizzes/misconceptions/test_stack_replay.py`` holds
every walker equal to replaying its slip alone with the catalogue's functions.

Walkers, by position in the list ``walk`` returns:

- ``RIGHT``: torch's formulas;
- ``CHAINED`` (1 to 13): the ``_CHAINED_RULES`` slips in their order: the three pooling slips
  (stride taken as 1, ceil_mode ignored, a last window kept in the padding) then the ten
  one-dimension formula slips of ``conv.ONE_DIMENSION``;
- ``POOLS_SKIPPED``: every MaxPool2d treated as keeping the size;
- ``STRICT_FIT``: a Conv2d whose dilated kernel exactly fills the padded map taken to fail.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

CONV = "Conv2d"
RIGHT = 0
CHAINED = slice(1, 14)
POOLS_SKIPPED = 14
STRICT_FIT = 15
WALKERS = 16

# A walker whose layer failed goes on with this size, which no later layer brings below 1 (stacks
# have at most a dozen layers of stride at most 4): the failure check then only loops on layers
# where some walker fails, and every walker keeps the same list position.
_FAILED = 1 << 40

Outcome = tuple[int, int | None]  # (final size, None) or (size the failing layer got, its index)


def walk(size: int, stack: Sequence[tuple[Any, ...]]) -> list[Outcome]:
    """Each walker's outcome on a square map of ``size`` through ``stack``, by position."""
    sizes = [size] * WALKERS
    failures: list[Outcome | None] = [None] * WALKERS
    for index, layer in enumerate(stack):
        kernel, stride, padding, dilation = layer[1], layer[2], layer[3], layer[4]
        if layer[0] == CONV:
            outs = _conv_step(sizes, kernel, stride, padding, dilation)
        else:
            outs = _pool_step(sizes, kernel, stride, padding, dilation, layer[5])
        if min(outs) < 1:
            for position, out in enumerate(outs):
                if out < 1:
                    failures[position] = (sizes[position], index)
                    outs[position] = _FAILED
        sizes = outs
    return [
        (sizes[position], None) if failure is None else failure
        for position, failure in enumerate(failures)
    ]


def _conv_step(
    sizes: list[int], kernel: int, stride: int, padding: int, dilation: int
) -> list[int]:
    right, one, floored, kept, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, skipped, strict = sizes
    span = dilation * (kernel - 1)
    twice = 2 * padding
    offset = twice - span - 1
    return [
        (right + offset) // stride + 1,
        # the pooling slips change nothing at a Conv2d
        (one + offset) // stride + 1,
        (floored + offset) // stride + 1,
        (kept + offset) // stride + 1,
        # conv.ONE_DIMENSION in order; where a slip does not apply (padding 0, dilation 1,
        # kernel equal to stride, stride 1) its formula reduces to the right one
        (c0 + padding - span - 1) // stride + 1,  # padding_not_doubled
        (c1 + offset) // stride,  # forgot_plus_one
        -(-(c2 + offset) // stride) + 1,  # ceil_instead_of_floor
        (c3 + twice - kernel) // stride + 1,  # ignored_dilation
        (c4 + twice - dilation * (stride - 1) - 1) // kernel + 1,  # kernel_stride_swapped
        (c5 - span - 1) // stride + 1,  # ignored_padding
        c6 + twice - span,  # ignored_stride
        (c7 + twice - span) // stride,  # plus_one_inside_division
        (c8 + twice) // stride,  # kernel_not_subtracted
        c9 // stride if stride != 1 else c9 + twice - span,  # size_over_stride
        (skipped + offset) // stride + 1,
        0 if strict + twice == span + 1 else (strict + offset) // stride + 1,
    ]


def _pool_step(
    sizes: list[int],
    kernel: int,
    stride: int | None,
    padding: int,
    dilation: int,
    ceil_mode: bool,
) -> list[int]:
    step = kernel if stride is None else stride
    offset = 2 * padding - dilation * (kernel - 1) - 1
    if ceil_mode:
        outs = []
        for item in sizes:
            out = -(-(item + offset) // step) + 1
            if (out - 1) * step >= item + padding:
                out -= 1  # torch drops a last window that would start in the right padding
            outs.append(out)
        outs[2] = (sizes[2] + offset) // step + 1  # ceil_mode ignored: floor
        outs[3] = -(-(sizes[3] + offset) // step) + 1  # the last window kept
    else:
        outs = [(item + offset) // step + 1 for item in sizes]
    if stride is None and kernel != 1:  # stride taken as 1 instead of kernel_size
        one = sizes[1]
        out = one + offset + 1
        if ceil_mode and out - 1 >= one + padding:
            out -= 1
        outs[1] = out
    outs[POOLS_SKIPPED] = sizes[POOLS_SKIPPED]
    return outs
