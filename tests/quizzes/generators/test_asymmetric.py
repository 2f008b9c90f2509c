"""Family 11 (asymmetric): every key agrees with what nn.Conv2d actually does with tuples."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from quizzes.generators.asymmetric import GENERATOR, _propagate
from quizzes.generators.base import ConfigError, Difficulty
from tests.quizzes.generators.contract import assert_contract

DIFFICULTIES = st.sampled_from(list(Difficulty))
SEEDS = st.integers(min_value=0, max_value=2**31)


def _layers(params: dict) -> nn.Sequential:
    return nn.Sequential(
        *(
            nn.Conv2d(
                layer["in_channels"],
                layer["out_channels"],
                tuple(layer["kernel_size"]),
                stride=tuple(layer["stride"]),
                padding=tuple(layer["padding"]),
                dilation=tuple(layer["dilation"]),
                device="meta",
            )
            for layer in params["layers"]
        )
    )


def _meta_shape(params: dict) -> tuple[int, ...]:
    return tuple(_layers(params)(torch.empty(params["input_shape"], device="meta")).shape)


@settings(max_examples=2000, deadline=None)
@given(seed=SEEDS, difficulty=DIFFICULTIES)
def test_every_key_matches_torch(seed: int, difficulty: Difficulty) -> None:
    # Given a generated question
    variant = GENERATOR.generate(seed=seed, difficulty=difficulty)
    params = variant.params

    # When torch builds the layers from params and runs them, then the key is what it produces
    shape = _meta_shape(params)
    asked = params["asked"]
    if asked == "height":
        assert variant.answer.value == shape[-2]
    elif asked == "width":
        assert variant.answer.value == shape[-1]
    else:
        assert variant.answer.value == shape

    # and the prompt shows the very layers and input the params describe
    assert f"x = torch.randn({', '.join(map(str, params['input_shape']))})" in variant.prompt
    assert_contract(GENERATOR, variant)


def test_questions_are_asymmetric() -> None:
    # Given 300 seeds per difficulty, when generated with default ranges
    for difficulty in Difficulty:
        for seed in range(300):
            params = GENERATOR.generate(seed=seed, difficulty=difficulty).params
            height, width = params["input_shape"][-2:]
            # then the input is never square and some setting differs between H and W
            assert height != width
            assert any(
                layer[name][0] != layer[name][1]
                for layer in params["layers"]
                for name in ("kernel_size", "stride", "padding", "dilation")
            )


def test_each_difficulty_asks_its_own_question() -> None:
    variants = {
        difficulty: [GENERATOR.generate(seed=seed, difficulty=difficulty) for seed in range(300)]
        for difficulty in Difficulty
    }
    easy = variants[Difficulty.EASY]
    assert {v.params["asked"] for v in easy} == {"height", "width"}
    assert all(
        v.params["layers"][0]["kernel_size"][0] == v.params["layers"][0]["kernel_size"][1]
        for v in easy
    )
    medium = variants[Difficulty.MEDIUM]
    assert {v.params["asked"] for v in medium} == {"shape"}
    assert any(
        v.params["layers"][0]["kernel_size"][0] != v.params["layers"][0]["kernel_size"][1]
        for v in medium
    )
    assert {v.params["layers"][0]["dilation"][0] for v in medium} == {1}
    hard = variants[Difficulty.HARD]
    assert {v.params["kind"] for v in hard} == {"one_layer", "factorised"}
    assert {len(v.params["input_shape"]) for v in hard} == {3, 4}
    assert any(v.params["layers"][0]["dilation"] != [1, 1] for v in hard)


def test_swapped_tuple_names_height_width_swapped() -> None:
    # Given a medium question whose most telling mistake is reading the tuples backwards
    variant = next(
        v
        for v in (GENERATOR.generate(seed=seed, difficulty="medium") for seed in range(500))
        if v.wrong_answers and v.wrong_answers[0].misconception == "height_width_swapped"
    )
    swapped = variant.wrong_answers[0].value

    # When the student reads the tuples as (width, height)
    result = GENERATOR.check(variant, str(swapped))

    # Then the feedback names that mistake
    assert result.is_correct is False
    assert result.misconception == "height_width_swapped"
    assert "first number applies to H" in result.message


def test_known_layer_gives_known_answers() -> None:
    # Given kernel_size=(3, 5), stride=(2, 1), padding=(1, 0) on a 20×40 input
    layer = ((3, 5), (2, 1), (1, 0), (1, 1), 3, 8)

    # When propagated right, and with the tuples read backwards
    # Then H = ⌊(20 + 2 − 3)/2⌋ + 1 = 10 and W = 40 − 5 + 1 = 36; backwards: 16 and 20
    assert _propagate(20, 40, [layer]) == (10, 36)
    assert _propagate(20, 40, [layer], is_swapped=True) == (16, 20)
    assert tuple(nn.Conv2d(3, 8, (3, 5), (2, 1), (1, 0))(torch.zeros(1, 3, 20, 40)).shape) == (
        1,
        8,
        10,
        36,
    )


def test_same_seed_gives_the_same_variant() -> None:
    for difficulty in Difficulty:
        for seed in (0, 1, 2**31):
            first = GENERATOR.generate(seed=seed, difficulty=difficulty).to_dict()
            assert GENERATOR.generate(seed=seed, difficulty=difficulty).to_dict() == first


def test_pinned_variants_do_not_drift() -> None:
    pinned = {
        (Difficulty.EASY, 0): ([10, 10, 21, 23], "width", 24),
        (Difficulty.MEDIUM, 0): ([13, 119, 77, 66], "shape", (13, 18, 74, 68)),
        (Difficulty.HARD, 0): ([42, 69, 219, 198], "shape", (42, 228, 55, 100)),
    }
    for (difficulty, seed), expected in pinned.items():
        variant = GENERATOR.generate(seed=seed, difficulty=difficulty)
        actual = (variant.params["input_shape"], variant.params["asked"], variant.answer.value)
        assert actual == expected


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"input_size": [2, 3], "kernel_size": [5, 7]}, "smaller than every kernel_size"),
        (
            {"kernel_size": [3, 3], "stride": [1, 1], "padding": [1, 1], "dilation": [1, 1]},
            "can never get different settings",
        ),
        ({"stride": [3, 1]}, "low 3 is greater than high 1"),
    ],
)
def test_invalid_configs_are_rejected(config: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        GENERATOR.generate(seed=1, difficulty="easy", config=config)


@pytest.mark.parametrize(
    "config",
    [
        {"input_size": [1, 1]},
        {"input_size": [5, 5], "kernel_size": [5, 5], "stride": [1, 2]},
        {"stride": [1, 1], "padding": [0, 0], "dilation": [1, 1]},
        {"kernel_size": [1, 1]},
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
            asked = variant.params["asked"]
            expected = {"height": shape[-2], "width": shape[-1]}.get(asked, shape)
            assert variant.answer.value == expected
            assert_contract(GENERATOR, variant)
