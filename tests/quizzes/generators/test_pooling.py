"""Family 8 (pooling): every key agrees with what nn.MaxPool2d / nn.AvgPool2d actually do."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from quizzes.generators.base import AnswerKind, ConfigError, Difficulty
from quizzes.generators.pooling import GENERATOR, pool_padding_error, pool_too_small_error
from quizzes.misconceptions import get_misconception
from quizzes.misconceptions.pooling import pool_dimension_mistakes
from quizzes.shapes import pool_output_size
from tests.quizzes.generators.contract import assert_contract

DIFFICULTIES = st.sampled_from(list(Difficulty))
SEEDS = st.integers(min_value=0, max_value=2**31)


def _pool(params: dict) -> nn.Module:
    if params["layer"] == "MaxPool2d":
        return nn.MaxPool2d(
            params["kernel_size"],
            stride=params["stride"],
            padding=params["padding"],
            dilation=params["dilation"],
            ceil_mode=params["ceil_mode"],
        )
    assert params["dilation"] == 1
    return nn.AvgPool2d(
        params["kernel_size"],
        stride=params["stride"],
        padding=params["padding"],
        ceil_mode=params["ceil_mode"],
    )


def _run(layer: nn.Module, shape: list[int]) -> tuple[int, ...] | str:
    """The output shape on the meta device, or torch's error message."""
    try:
        return tuple(layer(torch.empty(shape, device="meta")).shape)
    except RuntimeError as error:
        return str(error)


@settings(max_examples=2000, deadline=None)
@given(seed=SEEDS, difficulty=DIFFICULTIES)
def test_every_key_matches_torch(seed: int, difficulty: Difficulty) -> None:
    # Given a generated question
    variant = GENERATOR.generate(seed=seed, difficulty=difficulty)
    params = variant.params

    # When torch builds the pooling layer from params and runs it
    outcome = _run(_pool(params), params["input_shape"])

    # Then the key is what torch produces (or the error torch raises, quoted exactly)
    if params["asked"] == "shape":
        assert variant.answer.kind is AnswerKind.SHAPE
        assert variant.answer.value == outcome
        assert 2 * params["padding"] <= params["kernel_size"]
    else:
        assert params["asked"] == "runs"
        correct = next(choice for choice in variant.choices if choice.is_correct)
        if variant.answer.raises:
            assert variant.answer.raises == "RuntimeError"
            assert isinstance(outcome, str)
            assert correct.text == f"It raises `RuntimeError: {outcome}`"
            assert f"`RuntimeError: {outcome}`" in variant.solution_steps[1].body
        else:
            assert isinstance(outcome, tuple), outcome
            assert correct.text == f"It runs: `y.shape` is ({', '.join(map(str, outcome))})"

    # and the rest of the contract holds
    assert_contract(GENERATOR, variant)


def test_pool_output_size_matches_torch_including_the_ceil_mode_rule() -> None:
    # Given every small pooling setting torch accepts, in both rounding modes
    mismatches = []
    for size in range(1, 18):
        sample = torch.empty(1, 1, size, 1, device="meta")
        for kernel in range(1, 6):
            for stride in range(1, 5):
                for padding in range(kernel // 2 + 1):
                    for dilation in (1, 2, 3):
                        for ceil_mode in (False, True):
                            # When torch and shapes.pool_output_size compute the height
                            key = pool_output_size(
                                size, kernel, stride, padding, dilation, ceil_mode
                            )
                            layer = nn.MaxPool2d(
                                (kernel, 1),
                                (stride, 1),
                                (padding, 0),
                                (dilation, 1),
                                ceil_mode=ceil_mode,
                            )
                            outcome = _run(layer, list(sample.shape))
                            torch_size = outcome[2] if isinstance(outcome, tuple) else None
                            if torch_size != (key if key >= 1 else None):
                                mismatches.append((size, kernel, stride, padding, dilation))
    # Then they always agree (a size below 1 is when torch raises)
    assert mismatches == []


def test_ceil_mode_drops_a_last_window_that_starts_in_the_padding() -> None:
    # Given MaxPool2d(2, stride=2, padding=1, ceil_mode=True) on a 5-pixel side
    layer = nn.MaxPool2d(2, stride=2, padding=1, ceil_mode=True)
    # When it runs, then rounding up alone would give 4 but torch gives 3
    assert _run(layer, [1, 1, 5, 5]) == (1, 1, 3, 3)
    assert pool_output_size(5, 2, 2, 1, 1, True) == 3
    # and the misconception that keeps the window names the 4
    assert ("pool_ceil_last_window_rule", 4) in pool_dimension_mistakes(5, 2, 2, 1, 1, True)


@pytest.mark.parametrize(
    ("layer", "kind", "kernel", "padding", "dilation"),
    [
        (nn.MaxPool2d(3, padding=2), "MaxPool2d", 3, 2, 1),
        (nn.MaxPool2d(2, padding=2), "MaxPool2d", 2, 2, 1),
        (nn.AvgPool2d(4, padding=3), "AvgPool2d", 4, 3, 1),
        (nn.MaxPool2d(3, padding=2, dilation=2), "MaxPool2d", 3, 2, 2),
        (nn.MaxPool2d(4, padding=3, dilation=3), "MaxPool2d", 4, 3, 3),
    ],
)
def test_padding_limit_message_is_torchs_exact_text(
    layer: nn.Module, kind: str, kernel: int, padding: int, dilation: int
) -> None:
    # Given a pooling layer with padding over half its kernel
    # When it runs, then torch raises exactly the message the key quotes
    assert _run(layer, [1, 2, 16, 16]) == pool_padding_error(kind, kernel, padding, dilation)


def test_padding_limit_is_half_the_kernel_for_every_setting() -> None:
    # Given every small kernel, padding and dilation
    for kernel in range(1, 7):
        for padding in range(6):
            for dilation in (1, 2, 3):
                for kind in ("MaxPool2d", "AvgPool2d"):
                    if kind == "AvgPool2d" and dilation > 1:
                        continue
                    params = {
                        "layer": kind,
                        "kernel_size": kernel,
                        "stride": None,
                        "padding": padding,
                        "dilation": dilation,
                        "ceil_mode": False,
                    }
                    # When torch runs it on a large input
                    outcome = _run(_pool(params), [1, 2, 40, 40])
                    # Then it raises exactly when (and with what) pool_padding_error says
                    expected = pool_padding_error(kind, kernel, padding, dilation)
                    if expected is None:
                        assert isinstance(outcome, tuple), (kind, kernel, padding, dilation)
                    else:
                        assert outcome == expected


def test_too_small_message_is_torchs_exact_text() -> None:
    # Given a 2x2 pooling window on a 1x3 map of 8 channels
    # When it runs, then torch's message is the one the layer-stack family quotes
    assert _run(nn.MaxPool2d(2), [1, 8, 1, 3]) == pool_too_small_error(8, 1, 3, 0, 1)


def test_each_difficulty_asks_its_own_kinds_of_question() -> None:
    # Given many seeds per difficulty
    variants = {
        difficulty: [GENERATOR.generate(seed=seed, difficulty=difficulty) for seed in range(300)]
        for difficulty in Difficulty
    }
    easy, medium, hard = variants[Difficulty.EASY], variants[Difficulty.MEDIUM], variants["hard"]
    # Then easy is one square, unpadded, floor-mode layer, mostly with the stride left out
    assert {v.params["asked"] for v in easy} == {"shape"}
    assert all(v.params["padding"] == 0 and not v.params["ceil_mode"] for v in easy)
    assert all(v.params["input_shape"][2] == v.params["input_shape"][3] for v in easy)
    assert sum(v.params["stride"] is None for v in easy) > 150
    # medium adds padding and ceil_mode
    assert {v.params["asked"] for v in medium} == {"shape"}
    assert any(v.params["ceil_mode"] for v in medium)
    assert any(v.params["padding"] for v in medium)
    # hard adds non-square inputs, dilation, the ceil_mode window rule and the padding limit
    assert {v.params["asked"] for v in hard} == {"shape", "runs"}
    shapes = [v for v in hard if v.params["asked"] == "shape"]
    assert any(v.params["input_shape"][2] != v.params["input_shape"][3] for v in shapes)
    assert any(v.params["dilation"] > 1 for v in shapes)
    assert any("pool_ceil_last_window_rule" in v.misconceptions for v in shapes)
    runs = [v for v in hard if v.params["asked"] == "runs"]
    assert any(v.answer.raises == "RuntimeError" for v in runs)
    assert any(v.answer.raises is None for v in runs)


def test_wrong_free_answer_with_stride_one_names_the_misconception() -> None:
    # Given an easy question whose code leaves the stride out
    variant = next(
        v
        for seed in range(100)
        if (v := GENERATOR.generate(seed=seed, difficulty="easy")).params["stride"] is None
    )
    batch, channels, height, _ = variant.params["input_shape"]
    kernel = variant.params["kernel_size"]
    stride_one = height - kernel + 1
    # When the student assumes stride 1
    result = GENERATOR.check(variant, f"({batch}, {channels}, {stride_one}, {stride_one})")
    # Then the feedback names that mistake and explains the default
    assert result.is_correct is False
    assert result.misconception == "pool_stride_assumed_one"
    assert "default stride to kernel_size" in result.message


def test_misconceptions_give_the_documented_wrong_sizes() -> None:
    # Given in=10, kernel 3, stride left out (so 3), padding 1, floor mode: ⌊9/3⌋ + 1 = 4
    assert pool_output_size(10, 3, None, 1, 1, False) == 4
    # When each misconception is applied
    mistakes = pool_dimension_mistakes(10, 3, None, 1, 1, False)
    # Then each one that changes the answer produces its own wrong size
    assert mistakes == [
        ("pool_stride_assumed_one", 10),
        ("padding_not_doubled", 3),
        ("forgot_plus_one", 3),
        ("ignored_padding", 3),
        ("plus_one_inside_division", 3),
    ]
    assert all(get_misconception(identifier) for identifier, _ in mistakes)


def test_ceil_mode_misconceptions_give_the_documented_wrong_sizes() -> None:
    # Given in=5, kernel 2, stride left out (2), padding 1, ceil_mode=True: torch gives 3
    assert pool_output_size(5, 2, None, 1, 1, True) == 3
    # When each misconception is applied, then rounding up without the window rule gives 4
    assert pool_dimension_mistakes(5, 2, None, 1, 1, True) == [
        ("pool_stride_assumed_one", 6),
        ("pool_ceil_last_window_rule", 4),
        ("kernel_not_subtracted", 4),
    ]


def test_same_seed_gives_the_same_variant_and_a_pinned_key() -> None:
    # Given the same seed twice
    first = GENERATOR.generate(seed=2024, difficulty="medium")
    second = GENERATOR.generate(seed=2024, difficulty="medium")
    # Then the variants are identical, and the key stays what it was when this test was written
    assert first.to_dict() == second.to_dict()
    assert first.answer.value == PINNED_MEDIUM_2024


PINNED_MEDIUM_2024 = (20, 8, 21, 21)  # MaxPool2d(3, ceil_mode=True) on 61


def test_config_with_padding_over_half_every_kernel_is_rejected() -> None:
    # Given ranges where every padding is more than half of every kernel
    config = {"kernel_size": [2, 3], "padding": [2, 3]}
    # When the template is validated, then it is refused with a sentence an instructor can act on
    assert GENERATOR.validate_config(config) == [
        "padding from 2 is more than half of every kernel_size up to 3: torch rejects such "
        "pooling layers (padding must be at most kernel_size / 2), so no shape question could run"
    ]
    with pytest.raises(ConfigError):
        GENERATOR.generate(seed=1, difficulty="easy", config=config)


def test_config_with_inputs_smaller_than_every_kernel_is_rejected() -> None:
    # Given inputs of at most 3 pixels and kernels of at least 4
    errors = GENERATOR.validate_config({"input_size": [2, 3], "kernel_size": [4, 5]})
    # Then the template is refused
    assert errors == [
        "input_size up to 3 is smaller than every kernel_size from 4: the pooling window would "
        "not fit the input"
    ]


def test_narrowed_config_is_honoured() -> None:
    # Given a template pinned to 3x3 windows with stride 2 on 10..12 pixel inputs
    config = {"kernel_size": [3, 3], "stride": [2, 2], "input_size": [10, 12]}
    for seed in range(50):
        variant = GENERATOR.generate(seed=seed, difficulty="medium", config=config)
        # Then every question uses them
        assert variant.params["kernel_size"] == 3
        assert variant.params["stride"] in (None, 2)
        assert 10 <= variant.params["input_shape"][2] <= 12
