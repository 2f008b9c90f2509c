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
- ``STRICT_FIT``: a Conv2d whose dilated kernel exactly fills the padded map taken to fail;
- ``ORIGINAL``: every layer given the original input (its size never changes; it fails at the
  first layer that would not run on the input itself).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

CONV = "Conv2d"
RIGHT = 0
CHAINED = slice(1, 14)
POOLS_SKIPPED = 14
STRICT_FIT = 15
ORIGINAL = 16
WALKERS = 17

# A walker whose layer failed goes on with this size, which no later layer brings below 1 (stacks
# have at most a dozen layers of stride at most 4): the failure check then only loops on layers
# where some walker fails, and every walker keeps the same list position.
_FAILED = 1 << 40

Outcome = tuple[int, int | None]  # (final size, None) or (size the failing layer got, its index)


def walk(size: int, stack: Sequence[tuple[Any, ...]]) -> tuple[list[int], list[Outcome | None]]:
    """(each walker's final size, each walker's failure or None) on a square map of ``size``.

    A walker's outcome as ``run`` gives it is its failure, or (its final size, None).
    """
    # Both layer kinds are worked inline, walkers unpacked and results listed one by one: a
    # Python call or comprehension per layer cost as much as the arithmetic.
    sizes = [size] * WALKERS
    failures: list[Outcome | None] = [None] * WALKERS
    for index, layer in enumerate(stack):
        kernel, stride, padding, dilation = layer[1], layer[2], layer[3], layer[4]
        (
            right,
            one,
            floored,
            kept,
            c0,
            c1,
            c2,
            c3,
            c4,
            c5,
            c6,
            c7,
            c8,
            c9,
            skipped,
            strict,
            original,
        ) = sizes
        span = dilation * (kernel - 1)
        twice = 2 * padding
        offset = twice - span - 1
        if layer[0] == CONV:
            outs = [
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
                original if original + twice > span else 0,
            ]
        elif not layer[5]:
            step = kernel if stride is None else stride
            outs = [
                (right + offset) // step + 1,
                one + offset + 1  # stride taken as 1 instead of kernel_size
                if stride is None and kernel != 1
                else (one + offset) // step + 1,
                # the ceil_mode slips change nothing without ceil_mode
                (floored + offset) // step + 1,
                (kept + offset) // step + 1,
                (c0 + offset) // step + 1,
                (c1 + offset) // step + 1,
                (c2 + offset) // step + 1,
                (c3 + offset) // step + 1,
                (c4 + offset) // step + 1,
                (c5 + offset) // step + 1,
                (c6 + offset) // step + 1,
                (c7 + offset) // step + 1,
                (c8 + offset) // step + 1,
                (c9 + offset) // step + 1,
                skipped,  # pools ignored
                (strict + offset) // step + 1,
                original if original + offset >= 0 else 0,
            ]
        elif padding > span + 1:
            outs = _ceil_pool_step(sizes, kernel, stride, padding, offset)
        else:
            # ceil_mode: ⌈(in + offset) / step⌉ + 1, less a last window that would start in the
            # right padding, which is min(that, ⌈(in + padding) / step⌉) while padding ≤ span + 1
            # (torch allows at most half the kernel)
            step = kernel if stride is None else stride
            outs = [
                min(-(-(right + offset) // step) + 1, -(-(right + padding) // step)),
                min(one + offset + 1, one + padding)
                if stride is None and kernel != 1
                else min(-(-(one + offset) // step) + 1, -(-(one + padding) // step)),
                (floored + offset) // step + 1,  # ceil_mode ignored: floor
                -(-(kept + offset) // step) + 1,  # the last window kept
                min(-(-(c0 + offset) // step) + 1, -(-(c0 + padding) // step)),
                min(-(-(c1 + offset) // step) + 1, -(-(c1 + padding) // step)),
                min(-(-(c2 + offset) // step) + 1, -(-(c2 + padding) // step)),
                min(-(-(c3 + offset) // step) + 1, -(-(c3 + padding) // step)),
                min(-(-(c4 + offset) // step) + 1, -(-(c4 + padding) // step)),
                min(-(-(c5 + offset) // step) + 1, -(-(c5 + padding) // step)),
                min(-(-(c6 + offset) // step) + 1, -(-(c6 + padding) // step)),
                min(-(-(c7 + offset) // step) + 1, -(-(c7 + padding) // step)),
                min(-(-(c8 + offset) // step) + 1, -(-(c8 + padding) // step)),
                min(-(-(c9 + offset) // step) + 1, -(-(c9 + padding) // step)),
                skipped,  # pools ignored
                min(-(-(strict + offset) // step) + 1, -(-(strict + padding) // step)),
                original
                if min(-(-(original + offset) // step) + 1, -(-(original + padding) // step)) >= 1
                else 0,
            ]
        if min(outs) < 1:
            for position, out in enumerate(outs):
                if out < 1:
                    failures[position] = (sizes[position], index)
                    outs[position] = _FAILED
        sizes = outs
    return sizes, failures


def _ceil_pool_step(
    sizes: list[int], kernel: int, stride: int | None, padding: int, offset: int
) -> list[int]:
    """One ceil_mode MaxPool2d for every walker, for a padding above span + 1 (torch refuses
    those, so only a hand-made stack gets here), checking torch's last-window rule as written."""
    step = kernel if stride is None else stride
    outs = []
    for item in sizes:
        out = -(-(item + offset) // step) + 1
        if (out - 1) * step >= item + padding:
            out -= 1  # torch drops a last window that would start in the right padding
        outs.append(out)
    outs[2] = (sizes[2] + offset) // step + 1  # ceil_mode ignored: floor
    outs[3] = -(-(sizes[3] + offset) // step) + 1  # the last window kept
    if stride is None and kernel != 1:  # stride taken as 1 instead of kernel_size
        out = sizes[1] + offset + 1
        if out - 1 >= sizes[1] + padding:
            out -= 1
        outs[1] = out
    outs[POOLS_SKIPPED] = sizes[POOLS_SKIPPED]
    if outs[ORIGINAL] >= 1:
        outs[ORIGINAL] = sizes[ORIGINAL]
    return outs
