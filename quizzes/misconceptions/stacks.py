"""Mistakes in following shapes through a stack of Conv2d / ReLU / MaxPool2d layers.

A stack here is the list of its shape-changing layers, as tuples:
``("Conv2d", kernel, stride, padding, dilation)`` and
``("MaxPool2d", kernel, stride or None, padding, dilation, ceil_mode)`` (ReLU changes nothing).
A layer runs when its output size is at least 1 (for Conv2d: the dilated kernel fits the padded
input). The stack-level mistakes below are functions of (size, stack); the per-layer formula slips
of ``conv`` and ``pooling`` are replayed through the whole chain by ``chained_mistakes``, as a
student who makes the slip at every layer would.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from quizzes.misconceptions import Misconception, register
from quizzes.misconceptions.conv import ONE_DIMENSION
from quizzes.misconceptions.pooling import (
    POOL_CEIL_LAST_WINDOW_RULE,
    POOL_CEIL_MODE_IGNORED,
    POOL_STRIDE_ASSUMED_ONE,
    assumed_stride_one,
    floored_in_ceil_mode,
    kept_window_in_padding,
)
from quizzes.misconceptions.stack_walk import (
    CHAINED,
    ORIGINAL,
    POOLS_SKIPPED,
    RIGHT,
    STRICT_FIT,
    walk,
)
from quizzes.shapes import conv_output_size, pool_output_size

Layer = tuple[Any, ...]
Stack = Sequence[Layer]
CONV = "Conv2d"
POOL = "MaxPool2d"
#: Repeated-layer questions stop counting here: a mistake that never fails gives no number.
MAX_COUNT = 64


def layer_output(layer: Layer, size: int) -> int:
    """The size torch gives for one dimension (below 1 means the layer raises)."""
    if layer[0] == CONV:
        return conv_output_size(size, layer[1], layer[2], layer[3], layer[4])
    return pool_output_size(size, layer[1], layer[2], layer[3], layer[4], layer[5])


ConvRule = Callable[[int, int, int, int, int], int | None]
PoolRule = Callable[[int, int, int | None, int, int, bool], int | None]


def run(
    size: int,
    stack: Stack,
    conv_rule: ConvRule | None = None,
    pool_rule: PoolRule | None = None,
    *,
    skip_pools: bool = False,
    strict_fit: bool = False,
) -> tuple[int, int | None]:
    """(final size, index of the first failing layer or None) under a possibly mistaken rule.

    A rule returning None leaves that layer to the right formula (the slip does not apply).
    ``strict_fit`` makes a Conv2d whose dilated kernel exactly fills the padded map fail.
    """
    if skip_pools or strict_fit:
        return _run_with_options(size, stack, conv_rule, pool_rule, skip_pools, strict_fit)
    return _replay(size, stack, conv_rule, pool_rule)


def _replay(
    size: int, stack: Stack, conv_rule: ConvRule | None, pool_rule: PoolRule | None
) -> tuple[int, int | None]:
    # run() without its options: the loop every chained slip goes through, kept call-free
    # (pool_output_size inlined) because a stack question replays a dozen slips.
    for index, layer in enumerate(stack):
        if layer[0] == CONV:
            kernel, stride, padding, dilation = layer[1], layer[2], layer[3], layer[4]
            out = conv_rule(size, kernel, stride, padding, dilation) if conv_rule else None
            if out is None:
                out = (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
        else:
            kernel, stride, padding, dilation, ceil_mode = layer[1:6]
            out = (
                pool_rule(size, kernel, stride, padding, dilation, ceil_mode) if pool_rule else None
            )
            if out is None:
                if stride is None:
                    stride = kernel
                numerator = size + 2 * padding - dilation * (kernel - 1) - 1
                if ceil_mode:
                    out = -(-numerator // stride) + 1
                    if (out - 1) * stride >= size + padding:
                        out -= 1
                else:
                    out = numerator // stride + 1
        if out < 1:
            return size, index
        size = out
    return size, None


def _run_with_options(
    size: int,
    stack: Stack,
    conv_rule: ConvRule | None,
    pool_rule: PoolRule | None,
    skip_pools: bool,
    strict_fit: bool,
) -> tuple[int, int | None]:
    for index, layer in enumerate(stack):
        if layer[0] == CONV:
            kernel, stride, padding, dilation = layer[1], layer[2], layer[3], layer[4]
            out = conv_rule(size, kernel, stride, padding, dilation) if conv_rule else None
            if out is None:
                out = (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
            if strict_fit and size + 2 * padding == dilation * (kernel - 1) + 1:
                return size, index
        else:
            if skip_pools:
                continue
            out = pool_rule(size, *layer[1:]) if pool_rule else None
            if out is None:
                out = pool_output_size(size, *layer[1:])
        if out < 1:
            return size, index
        size = out
    return size, None


def count_repeats(
    size: int,
    block: Stack,
    conv_rule: ConvRule | None = None,
    pool_rule: PoolRule | None = None,
    *,
    skip_pools: bool = False,
    strict_fit: bool = False,
    limit: int = MAX_COUNT,
) -> int | None:
    """How many copies of ``block`` run one after another before one fails.

    None when none fails within ``limit`` copies, or the size stops changing (it never will).
    """
    options = skip_pools or strict_fit
    if not options and len(block) == 1 and block[0][0] == CONV:
        return _count_conv_repeats(size, block[0], conv_rule, limit)
    for count in range(limit + 1):
        if options:
            out, failed = _run_with_options(
                size, block, conv_rule, pool_rule, skip_pools, strict_fit
            )
        else:
            out, failed = _replay(size, block, conv_rule, pool_rule)
        if failed is not None:
            return count
        if out == size:
            return None
        size = out
    return None


def _count_conv_repeats(
    size: int, layer: Layer, conv_rule: ConvRule | None, limit: int
) -> int | None:
    # count_repeats for a lone Conv2d, the commonest block, without a _replay call per copy:
    # counting runs up to ~10 copies for each of a dozen slips.
    kernel, stride, padding, dilation = layer[1], layer[2], layer[3], layer[4]
    for count in range(limit + 1):
        out = conv_rule(size, kernel, stride, padding, dilation) if conv_rule else None
        if out is None:
            out = (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
        if out < 1:
            return count
        if out == size:
            return None
        size = out
    return None


def _pools_ignored(size: int, stack: Stack) -> int | None:
    if not any(layer[0] == POOL for layer in stack):
        return None
    final, failed = run(size, stack, skip_pools=True)
    return None if failed is not None else final


def _not_chained(size: int, stack: Stack) -> int | None:
    if len(stack) < 2:
        return None
    out = layer_output(stack[-1], size)
    return out if out > 0 else None


STACK_POOL_IGNORED = register(
    Misconception(
        id="stack_pool_ignored",
        title="Forgot that pooling shrinks the map",
        explanation=(
            "nn.MaxPool2d(2) has stride 2 by default, so it halves H and W (rounding down); it is "
            "a shape-changing layer like Conv2d, only ReLU keeps the shape."
        ),
        hint="Which layers in the stack change H and W, and which ones keep them?",
        wrong_answer=_pools_ignored,
    )
)
STACK_NOT_CHAINED = register(
    Misconception(
        id="stack_not_chained",
        title="Applied each layer to the original input",
        explanation=(
            "Layers run one after another: each layer's input is the previous layer's output, so "
            "the formula must be applied to the size that comes out of the layer before, not to "
            "the original image."
        ),
        hint="What size does the second layer actually receive?",
        wrong_answer=_not_chained,
    )
)
STACK_COUNTED_FAILING_LAYER = register(
    Misconception(
        id="stack_counted_failing_layer",
        title="Counted the layer that fails",
        explanation=(
            "The layer whose kernel no longer fits raises an error instead of producing an "
            "output, so it does not count: count only the layers that ran."
        ),
        hint="Does the layer that raises produce an output?",
    )
)
STACK_KERNEL_MUST_BE_SMALLER = register(
    Misconception(
        id="stack_kernel_must_be_smaller",
        title="Thought a kernel as large as the map cannot run",
        explanation=(
            "A kernel that exactly fills the (padded) map still runs and gives a 1×1 output; "
            "torch only raises when the kernel is larger than the padded input."
        ),
        hint="What does a 5×5 convolution give on a 5×5 input?",
    )
)
STACK_BLAMED_PREVIOUS_LAYER = register(
    Misconception(
        id="stack_blamed_previous_layer",
        title="Blamed the layer before the one that fails",
        explanation=(
            "A layer that produces a small map still runs; the error comes from the next layer, "
            "whose window no longer fits that map."
        ),
        hint="Which layer's window is larger than the map it receives?",
    )
)
STACK_CHANNELS_FROM_WRONG_LAYER = register(
    Misconception(
        id="stack_channels_from_wrong_layer",
        title="Took the channel count from the wrong layer",
        explanation=(
            "The output has as many channels as the last Conv2d has filters (its out_channels); "
            "ReLU and pooling keep the channel count."
        ),
        hint="Which layer decides the number of channels that come out at the end?",
    )
)

# Per-layer slips replayed through the chain: (id, rule for Conv2d, rule for pooling).
_CHAINED_RULES: tuple[tuple[str, ConvRule | None, PoolRule | None], ...] = (
    (POOL_STRIDE_ASSUMED_ONE.id, None, assumed_stride_one),
    (POOL_CEIL_MODE_IGNORED.id, None, floored_in_ceil_mode),
    (POOL_CEIL_LAST_WINDOW_RULE.id, None, kept_window_in_padding),
    *((m.id, m.wrong_answer, None) for m in ONE_DIMENSION),
)

# What a stack must contain for a slip to change anything; the others are skipped (speed).
_NEEDS = {
    POOL_STRIDE_ASSUMED_ONE.id: "default_pool_stride",
    POOL_CEIL_MODE_IGNORED.id: "ceil_mode",
    POOL_CEIL_LAST_WINDOW_RULE.id: "ceil_mode",
    "padding_not_doubled": "padding",
    "ignored_padding": "padding",
    "ignored_dilation": "dilation",
    "ignored_stride": "stride",
    "plus_one_inside_division": "stride",
    "size_over_stride": "stride",
}


# The features a stack can have, as bits: the rules for each of the 64 combinations are built once.
_FEATURE_BITS = {
    "conv": 1,
    "padding": 2,
    "dilation": 4,
    "stride": 8,
    "default_pool_stride": 16,
    "ceil_mode": 32,
}
_RULES_BY_FEATURES = [
    [rule for rule in _CHAINED_RULES if _FEATURE_BITS[_NEEDS.get(rule[0], "conv")] & features]
    for features in range(64)
]


_RULE_INDICES_BY_FEATURES = [
    [
        index
        for index, rule in enumerate(_CHAINED_RULES)
        if _FEATURE_BITS[_NEEDS.get(rule[0], "conv")] & features
    ]
    for features in range(64)
]
# The walkers of stack_walk.walk line up with _CHAINED_RULES, one position on.
assert [rule[2] for rule in _CHAINED_RULES[:3]] == [
    assumed_stride_one,
    floored_in_ceil_mode,
    kept_window_in_padding,
]
assert [rule[1] for rule in _CHAINED_RULES[3:]] == [m.wrong_answer for m in ONE_DIMENSION]
# (walker position, misconception id) of the chained slips that can change a stack's sizes.
_WALKERS_BY_FEATURES = [
    [(CHAINED.start + index, _CHAINED_RULES[index][0]) for index in indices]
    for indices in _RULE_INDICES_BY_FEATURES
]


def _replay_all(
    size: int, stack: Stack
) -> tuple[tuple[int, int | None], list[tuple[int, int | None]]]:
    """``_replay`` without a slip, and under every ``_CHAINED_RULES`` entry in that order."""
    sizes, failures = walk(size, stack)
    outcomes = [
        (sizes[position], None) if failure is None else failure
        for position, failure in enumerate(failures)
    ]
    return outcomes[RIGHT], outcomes[CHAINED]


def _rule_indices_for(stack: Stack) -> list[int]:
    """The positions in ``_CHAINED_RULES`` of the slips that can change this stack's sizes."""
    return _RULE_INDICES_BY_FEATURES[_features(stack) & _RULE_FEATURES]


def _rules_for(stack: Stack) -> list[tuple[str, ConvRule | None, PoolRule | None]]:
    return list(_RULES_BY_FEATURES[_features(stack) & _RULE_FEATURES])


_RULE_FEATURES = 63  # the bits of _FEATURE_BITS; _HAS_POOL only decides the pools-ignored slip
_HAS_POOL = 64


def _features(stack: Stack) -> int:
    features = 0
    for layer in stack:
        if layer[0] == CONV:
            features |= 1
            if layer[3]:
                features |= 2
            if layer[4] > 1:
                features |= 4
            if layer[2] > 1:
                features |= 8
        else:
            features |= _HAS_POOL
            if layer[2] is None and layer[1] > 1:
                features |= 16
            if layer[5]:
                features |= 32
    return features


def chained_mistakes(size: int, stack: Stack) -> list[tuple[str, int]]:
    """(misconception id, wrong final size) for the stack-level and chained per-layer slips.

    Only mistakes under which every layer still seems to run give a size; the right answer and
    duplicates are filtered later by ``unique_wrong_answers``.
    """
    return _chained(size, stack, _features(stack))


def chained_mistakes_pair(
    height: int, width: int, stack: Stack
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """``chained_mistakes`` for the height and for the width (the same list when square)."""
    features = _features(stack)
    heights = _chained(height, stack, features)
    return heights, heights if width == height else _chained(width, stack, features)


def _chained(size: int, stack: Stack, features: int) -> list[tuple[str, int]]:
    sizes, failures = walk(size, stack)
    result = []
    if features & _HAS_POOL and failures[POOLS_SKIPPED] is None:
        result.append((STACK_POOL_IGNORED.id, sizes[POOLS_SKIPPED]))
    if len(stack) >= 2:
        out = layer_output(stack[-1], size)
        if out > 0:
            result.append((STACK_NOT_CHAINED.id, out))
    result += [
        (identifier, sizes[position])
        for position, identifier in _WALKERS_BY_FEATURES[features & _RULE_FEATURES]
        if failures[position] is None
    ]
    return result


def failing_layer_mistakes(size: int, stack: Stack) -> list[tuple[str, int | None]]:
    """(misconception id, index of the layer the slip blames, None for "none fails")."""
    return failing_layer_replay(size, stack)[1]


def failing_layer_replay(
    size: int, stack: Stack
) -> tuple[tuple[int, int | None], list[tuple[str, int | None]]]:
    """(the right (size, failing index) as ``run`` gives it, ``failing_layer_mistakes``)."""
    sizes, failures = walk(size, stack)
    outcome = failures[RIGHT] or (sizes[RIGHT], None)
    right = outcome[1]
    blamed = [None if failure is None else failure[1] for failure in failures]
    result: list[tuple[str, int | None]] = []
    if right is not None and right > 0:
        result.append((STACK_BLAMED_PREVIOUS_LAYER.id, right - 1))
    result.append((STACK_POOL_IGNORED.id, blamed[POOLS_SKIPPED]))
    result.append((STACK_KERNEL_MUST_BE_SMALLER.id, blamed[STRICT_FIT]))
    result.append((STACK_NOT_CHAINED.id, blamed[ORIGINAL]))
    result += [
        (identifier, blamed[position])
        for position, identifier in _WALKERS_BY_FEATURES[_features(stack) & _RULE_FEATURES]
    ]
    return outcome, [(identifier, index) for identifier, index in result if index != right]


def count_mistakes(size: int, block: Stack, right: int) -> list[tuple[str, int]]:
    """(misconception id, wrong count) for "how many copies of this block run?"."""
    # A slip rarely changes the count by more than a factor of a few: stop looking past that.
    limit = 4 * right + 8
    result = [(STACK_COUNTED_FAILING_LAYER.id, right + 1)]
    strict = count_repeats(size, block, strict_fit=True, limit=limit)
    if strict is not None:
        result.append((STACK_KERNEL_MUST_BE_SMALLER.id, strict))
    if any(layer[0] == POOL for layer in block):
        ignored = count_repeats(size, block, skip_pools=True, limit=limit)
        if ignored is not None:
            result.append((STACK_POOL_IGNORED.id, ignored))
    rules = _rules_for(block)
    if len(block) == 1 and block[0][0] == POOL and block[0][2] is None and not block[0][3]:
        # A lone MaxPool2d(k) read with stride 1 shrinks by dilation·(k − 1) a copy: count it in
        # closed form, as walking it would take as many steps as the map has pixels.
        _, kernel, _, _, dilation, _ = block[0]
        shrink = dilation * (kernel - 1)
        result.append((POOL_STRIDE_ASSUMED_ONE.id, (size - shrink - 1) // shrink + 1))
        rules = [rule for rule in rules if rule[0] != POOL_STRIDE_ASSUMED_ONE.id]
    for identifier, conv_rule, pool_rule in rules:
        wrong = count_repeats(size, block, conv_rule, pool_rule, limit=limit)
        if wrong is not None:
            result.append((identifier, wrong))
    return [(identifier, wrong) for identifier, wrong in result if wrong != right]
