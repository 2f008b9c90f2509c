"""Family 9 (transposed): every key agrees with what nn.ConvTranspose2d actually does."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from quizzes.generators.base import AnswerKind, ConfigError, Difficulty
from quizzes.generators.transposed import GENERATOR, limit_message
from quizzes.misconceptions import get_misconception
from quizzes.misconceptions.transposed import transposed_mistakes
from tests.quizzes.generators.contract import assert_contract

DIFFICULTIES = st.sampled_from(list(Difficulty))
SEEDS = st.integers(min_value=0, max_value=2**31)


def _transposed(params: dict, output_padding: object, device: str) -> nn.ConvTranspose2d:
    return nn.ConvTranspose2d(
        params["in_channels"],
        params["out_channels"],
        params["kernel_size"],
        stride=params["stride"],
        padding=params["padding"],
        output_padding=output_padding,
        dilation=params["dilation"],
        device=device,
    )


def _limit_error(layer_arguments: dict, input_size: int) -> str | None:
    """Run the layer on a real CPU tensor (the meta device skips the output_padding check).

    The check depends only on stride, dilation and output_padding, so one channel and one sample
    exercise it exactly while keeping the run cheap.
    """
    layer = nn.ConvTranspose2d(1, 1, **layer_arguments)
    try:
        layer(torch.zeros(1, 1, input_size, input_size))
    except RuntimeError as error:
        return str(error)
    return None


def _meta_shape(layer: nn.Module, shape: list[int]) -> tuple[int, ...]:
    return tuple(layer(torch.empty(shape, device="meta")).shape)


@settings(max_examples=2000, deadline=None)
@given(seed=SEEDS, difficulty=DIFFICULTIES)
def test_every_key_matches_torch(seed: int, difficulty: Difficulty) -> None:
    # Given a generated question
    variant = GENERATOR.generate(seed=seed, difficulty=difficulty)
    params = variant.params
    asked = params["asked"]

    # When torch builds the layer(s) from params, then the key is what torch produces
    if asked in ("height", "shape"):
        layer = _transposed(params, params["output_padding"], "meta")
        shape = _meta_shape(layer, params["input_shape"])
        expected = shape[2] if asked == "height" else shape
        assert variant.answer.value == expected
        assert _limit_error(_layer_arguments(params), params["input_shape"][2]) is None
    elif asked == "runs":
        arguments = _layer_arguments(params)
        error = _limit_error(arguments, params["input_shape"][2])
        if variant.answer.raises:
            assert variant.answer.raises == "RuntimeError"
            assert error is not None
            assert error in variant.answer.display
            assert error in variant.solution_steps[2].body
        else:
            assert error is None
            shape = _meta_shape(
                _transposed(params, params["output_padding"], "meta"), params["input_shape"]
            )
            correct = next(c for c in variant.choices if c.is_correct)
            assert f"is ({', '.join(map(str, shape))})" in correct.text
    elif asked == "doubles":
        size = params["input_shape"][2]
        for option in params["options"]:
            arguments = {
                k: option[k]
                for k in ("kernel_size", "stride", "padding", "output_padding", "dilation")
            }
            error = _limit_error(arguments, size)
            layer = nn.ConvTranspose2d(
                params["in_channels"], params["out_channels"], **arguments, device="meta"
            )
            shape = _meta_shape(layer, params["input_shape"])
            doubles = error is None and shape == (1, params["out_channels"], 2 * size, 2 * size)
            assert doubles is (option["label"] == variant.answer.value), option
    elif asked == "undo":
        down = nn.Conv2d(
            params["in_channels"],
            params["mid_channels"],
            params["kernel_size"],
            stride=params["stride"],
            padding=params["padding"],
            dilation=params["dilation"],
            device="meta",
        )
        up = nn.ConvTranspose2d(
            params["mid_channels"],
            params["in_channels"],
            params["kernel_size"],
            stride=params["stride"],
            padding=params["padding"],
            dilation=params["dilation"],
            output_padding=variant.answer.value,
            device="meta",
        )
        shape = tuple(up(down(torch.empty(params["input_shape"], device="meta"))).shape)
        assert shape == tuple(params["input_shape"])
        assert max(variant.answer.value) < params["stride"]
    else:
        pytest.fail(f"unknown question type {asked}")

    # and the rest of the contract holds
    assert_contract(GENERATOR, variant)


def _layer_arguments(params: dict) -> dict:
    return {
        "kernel_size": params["kernel_size"],
        "stride": params["stride"],
        "padding": params["padding"],
        "output_padding": params["output_padding"],
        "dilation": params["dilation"],
    }


def test_each_difficulty_asks_its_own_kinds_of_question() -> None:
    # Given many seeds per difficulty
    asked = {
        difficulty: {
            GENERATOR.generate(seed=seed, difficulty=difficulty).params["asked"]
            for seed in range(60)
        }
        for difficulty in Difficulty
    }
    # Then each difficulty covers exactly its question types
    assert asked == {
        Difficulty.EASY: {"height"},
        Difficulty.MEDIUM: {"shape", "doubles"},
        Difficulty.HARD: {"runs", "undo"},
    }


def test_hard_covers_both_raising_and_dilation_rescued_layers() -> None:
    # Given the hard "does it run" questions of many seeds
    variants = [GENERATOR.generate(seed=seed, difficulty="hard") for seed in range(400)]
    runs = [v for v in variants if v.params["asked"] == "runs"]
    # Then some raise and some run only because output_padding < dilation
    assert any(v.answer.raises == "RuntimeError" for v in runs)
    rescued = [v for v in runs if v.answer.raises is None]
    assert rescued
    assert all(
        v.params["stride"] <= v.params["output_padding"] < v.params["dilation"] for v in rescued
    )


def test_limit_message_is_torchs_exact_text() -> None:
    # Given a layer whose output_padding equals its stride
    layer = nn.ConvTranspose2d(1, 1, 3, stride=2, output_padding=2)
    # When it runs, then torch raises exactly the message the key quotes
    with pytest.raises(RuntimeError) as raised:
        layer(torch.zeros(1, 1, 4, 4))
    assert str(raised.value) == limit_message(2, 2, 1)


def test_misconceptions_give_the_documented_wrong_sizes() -> None:
    # Given in=5, kernel 3, stride 2, padding 1, output_padding 1 (right answer 10)
    mistakes = transposed_mistakes(5, 3, 2, 1, 1, 1)
    # Then each mistake produces its own wrong size
    assert mistakes == [
        ("transposed_forgot_output_padding", 9),
        ("transposed_padding_once", 11),
        ("transposed_used_conv_formula", 3),
        ("transposed_size_times_stride", 12),
        ("transposed_padding_added", 14),
        ("transposed_forgot_plus_one", 9),
    ]
    assert all(get_misconception(identifier) for identifier, _ in mistakes)


def test_wrong_free_answer_names_the_misconception() -> None:
    # Given an easy question with output_padding
    variant = next(
        v
        for seed in range(200)
        if (v := GENERATOR.generate(seed=seed, difficulty="easy")).params["output_padding"]
    )
    forgot = variant.answer.value - variant.params["output_padding"]
    # When the student leaves output_padding out
    result = GENERATOR.check(variant, str(forgot))
    # Then the feedback names that mistake
    assert result.is_correct is False
    assert result.misconception == "transposed_forgot_output_padding"
    assert "output_padding" in result.message


def test_generation_is_deterministic() -> None:
    for difficulty in Difficulty:
        for seed in (0, 1, 99, 123456):
            first = GENERATOR.generate(seed=seed, difficulty=difficulty).to_dict()
            again = GENERATOR.generate(seed=seed, difficulty=difficulty).to_dict()
            assert first == again


def test_template_ranges_narrow_the_draws() -> None:
    # Given a template that fixes stride 2 and input size 8
    config = {"stride": [2, 2], "input_size": [8, 8], "dilation": [1, 1]}
    for seed in range(50):
        variant = GENERATOR.generate(seed=seed, difficulty="easy", config=config)
        # Then every question uses them
        assert variant.params["stride"] == 2
        assert variant.params["input_shape"][2] == 8


def test_config_with_padding_too_large_for_the_kernels_is_rejected() -> None:
    # Given padding of at least 3 with kernels of at most 3 and no dilation
    config = {"padding": [3, 4], "kernel_size": [1, 3], "dilation": [1, 1]}
    # Then the template is refused with a sentence saying why
    errors = GENERATOR.validate_config(config)
    assert len(errors) == 1
    assert "padding from 3" in errors[0]
    with pytest.raises(ConfigError):
        GENERATOR.generate(seed=1, difficulty="easy", config=config)


def test_answer_kinds_per_question_type() -> None:
    kinds = {}
    for difficulty in Difficulty:
        for seed in range(40):
            variant = GENERATOR.generate(seed=seed, difficulty=difficulty)
            kinds[variant.params["asked"]] = variant.answer.kind
    assert kinds == {
        "height": AnswerKind.INTEGER,
        "shape": AnswerKind.SHAPE,
        "doubles": AnswerKind.CHOICE,
        "runs": AnswerKind.CHOICE,
        "undo": AnswerKind.SHAPE,
    }
