"""Family 1 (conv_output): every key agrees with the shape nn.Conv2d actually produces."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from quizzes.generators.base import AnswerKind, ConfigError, Difficulty
from quizzes.generators.conv_output import GENERATOR
from tests.quizzes.generators.contract import assert_contract

DIFFICULTIES = st.sampled_from(list(Difficulty))
SEEDS = st.integers(min_value=0, max_value=2**31)


def _layer(params: dict) -> nn.Conv2d:
    def pair(value: int | list[int]) -> int | tuple[int, int]:
        return tuple(value) if isinstance(value, list) else value

    return nn.Conv2d(
        params["in_channels"],
        params["out_channels"],
        pair(params["kernel_size"]),
        stride=pair(params["stride"]),
        padding=pair(params["padding"]),
        dilation=pair(params["dilation"]),
        device="meta",
    )


def _meta_shape(params: dict) -> tuple[int, ...]:
    return tuple(_layer(params)(torch.empty(params["input_shape"], device="meta")).shape)


@settings(max_examples=2000, deadline=None)
@given(seed=SEEDS, difficulty=DIFFICULTIES)
def test_every_key_matches_torch(seed: int, difficulty: Difficulty) -> None:
    # Given a generated question
    variant = GENERATOR.generate(seed=seed, difficulty=difficulty)
    params = variant.params

    # When torch builds the layer from params and runs it on the input's shape
    shape = _meta_shape(params)

    # Then the key is what torch produces
    if params["asked"] == "height":
        assert variant.answer.kind is AnswerKind.INTEGER
        assert variant.answer.value == shape[2]
    else:
        assert variant.answer.kind is AnswerKind.SHAPE
        assert variant.answer.value == shape

    # and the prompt shows that input, and every promise of the contract holds
    assert f"x = torch.randn({', '.join(map(str, params['input_shape']))})" in variant.prompt
    assert_contract(GENERATOR, variant)


def test_each_difficulty_asks_its_own_question() -> None:
    variants = {
        difficulty: [GENERATOR.generate(seed=seed, difficulty=difficulty) for seed in range(300)]
        for difficulty in Difficulty
    }
    easy, medium, hard = (
        variants[d] for d in (Difficulty.EASY, Difficulty.MEDIUM, Difficulty.HARD)
    )
    # easy: one dimension, square input, no dilation
    assert {v.params["asked"] for v in easy} == {"height"}
    assert {v.params["dilation"] for v in easy} == {1}
    assert all(v.params["input_shape"][2] == v.params["input_shape"][3] for v in easy)
    # medium: the full shape, int arguments, sometimes dilation
    assert {v.params["asked"] for v in medium} == {"shape"}
    assert all(isinstance(v.params["kernel_size"], int) for v in medium)
    assert {v.params["dilation"] for v in medium} == {1, 2}
    # hard: non-square inputs with tuple arguments
    assert any(v.params["input_shape"][2] != v.params["input_shape"][3] for v in hard)
    assert any(isinstance(v.params["kernel_size"], list) for v in hard)


def test_seed_example_from_the_tutorial() -> None:
    # Given the tutorial's layer: 7×7 input, kernel 3, stride 2, padding 1 (answer 4)
    variant = next(
        v
        for v in (GENERATOR.generate(seed=seed, difficulty="easy") for seed in range(20000))
        if (
            v.params["input_shape"][2],
            v.params["kernel_size"],
            v.params["stride"],
            v.params["padding"],
        )
        == (7, 3, 2, 1)
    )

    # When checked, then 4 is right and the classic slips are named
    assert variant.answer.value == 4
    assert GENERATOR.check(variant, "4").is_correct
    assert GENERATOR.check(variant, "3").misconception == "padding_not_doubled"
    assert GENERATOR.check(variant, "7").misconception == "ignored_stride"
    result = GENERATOR.check(variant, "four")
    assert result.is_readable is False
    assert result.message == "Could not read 'four' as a whole number, e.g. 14."


def test_shape_answer_in_every_spelling() -> None:
    variant = GENERATOR.generate(seed=7, difficulty="medium")
    key = variant.answer.value
    items = [str(item) for item in key]
    for spelling in (
        f"({', '.join(items)})",
        "x".join(items),
        f"[{','.join(items)}]",
        f"torch.Size([{', '.join(items)}])",
        f"\n  {' '.join(items)}\t",
    ):
        assert GENERATOR.check(variant, spelling).is_correct, spelling
    short = GENERATOR.check(variant, ", ".join(items[1:]))
    assert short.is_readable is False
    assert short.message.startswith("Your answer has 3 numbers; this question expects 4")


def test_same_seed_gives_the_same_variant() -> None:
    for difficulty in Difficulty:
        for seed in (0, 1, 2**31):
            first = GENERATOR.generate(seed=seed, difficulty=difficulty).to_dict()
            assert GENERATOR.generate(seed=seed, difficulty=difficulty).to_dict() == first


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"input_size": [2, 3], "kernel_size": [5, 7]}, "smaller than every kernel_size"),
        ({"stride": [0, 2]}, "outside the allowed"),
        ({"padding": [3, 1]}, "low 3 is greater than high 1"),
        ({"stride": [1]}, "must be a \\[low, high\\] pair"),
        ({"colour": [1, 2]}, "unknown parameter 'colour'"),
    ],
)
def test_invalid_configs_are_rejected(config: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        GENERATOR.generate(seed=1, difficulty="easy", config=config)


@pytest.mark.parametrize(
    "config",
    [
        {"input_size": [1, 1]},
        {"input_size": [5, 5], "kernel_size": [5, 5]},
        {"kernel_size": [1, 1], "padding": [0, 0]},
        {
            "input_size": [1, 512],
            "kernel_size": [1, 15],
            "stride": [1, 8],
            "padding": [0, 10],
            "dilation": [1, 6],
        },
    ],
)
def test_narrow_configs_still_give_valid_questions(config: dict) -> None:
    # Given a tight but valid template, when every difficulty is generated, then torch agrees
    assert GENERATOR.validate_config(config) == []
    for difficulty in Difficulty:
        for seed in range(60):
            variant = GENERATOR.generate(seed=seed, difficulty=difficulty, config=config)
            shape = _meta_shape(variant.params)
            expected = shape[2] if variant.params["asked"] == "height" else shape
            assert variant.answer.value == expected
            assert_contract(GENERATOR, variant)
