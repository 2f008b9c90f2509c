"""The one-walk replay of every slip must agree with replaying each slip on its own."""

from __future__ import annotations

import random

from quizzes.misconceptions.stack_walk import ORIGINAL, POOLS_SKIPPED, STRICT_FIT, walk
from quizzes.misconceptions.stacks import (
    _CHAINED_RULES,
    CONV,
    POOL,
    _replay,
    _replay_all,
    layer_output,
    run,
)


def _random_stack(rng: random.Random) -> list[tuple]:
    stack = []
    for _ in range(rng.randint(1, 7)):
        if rng.random() < 0.35:
            kernel = rng.randint(1, 4)
            stride = None if rng.random() < 0.5 else rng.randint(1, 4)
            # now and then more padding than torch allows, for the replay's general ceil_mode path
            padding = rng.randint(0, kernel // 2 + (2 if rng.random() < 0.1 else 0))
            stack.append((POOL, kernel, stride, padding, rng.randint(1, 2), rng.random() < 0.5))
        else:
            stack.append(
                (CONV, rng.randint(1, 7), rng.randint(1, 3), rng.randint(0, 3), rng.randint(1, 3))
            )
    return stack


def test_replay_all_matches_each_slip_replayed_alone():
    # Given many random stacks of Conv2d and MaxPool2d layers (ceil_mode, default strides,
    # padding, dilation) on small and large inputs, including ones where layers fail
    rng = random.Random(20261122)
    failing = 0
    for _ in range(5000):
        stack = _random_stack(rng)
        size = rng.randint(1, 80)
        # When every slip is replayed in one walk
        right, replayed = _replay_all(size, stack)
        # Then each result is what replaying that slip alone gives, and so is the right walk
        assert right == _replay(size, stack, None, None)
        assert replayed == [
            _replay(size, stack, conv_rule, pool_rule) for _, conv_rule, pool_rule in _CHAINED_RULES
        ]
        # and so are the stack-level slips walked alongside them
        sizes, failures = walk(size, stack)
        for position, options in ((POOLS_SKIPPED, "skip_pools"), (STRICT_FIT, "strict_fit")):
            outcome = failures[position] or (sizes[position], None)
            assert outcome == run(size, stack, **{options: True})
        unfit = [index for index, layer in enumerate(stack) if layer_output(layer, size) < 1]
        assert (failures[ORIGINAL] or (size, None)) == (size, unfit[0] if unfit else None)
        failing += right[1] is not None
    # and the stacks exercised both outcomes
    assert 500 < failing < 4500
