"""Family 10 (padding_modes): every padded value and every verdict is what torch produces."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F  # noqa: N812 (the name every PyTorch reader expects)
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from quizzes.generators.base import AnswerKind, ConfigError, Difficulty
from quizzes.generators.padding_modes import GENERATOR
from quizzes.misconceptions.padding_modes import pad_grid, pad_items, padded_row, value_mistakes
from tests.quizzes.generators.contract import assert_contract

LAYERS = {
    "zeros": nn.ZeroPad2d,
    "reflect": nn.ReflectionPad2d,
    "replicate": nn.ReplicationPad2d,
    "circular": nn.CircularPad2d,
}


def _pad_with_torch(values: list[list[int]], padding: list[int], mode: str, api: str) -> list:
    x = torch.tensor([[values]])
    if api == "layer":
        y = LAYERS[mode](tuple(padding))(x)
    else:
        y = F.pad(x, tuple(padding), mode="constant" if mode == "zeros" else mode)
    return y[0, 0].tolist()


@settings(max_examples=2000, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**31), difficulty=st.sampled_from(list(Difficulty)))
def test_every_key_matches_torch(seed: int, difficulty: Difficulty) -> None:
    # Given a generated question
    variant = GENERATOR.generate(seed=seed, difficulty=difficulty)
    params = variant.params
    asked = params["asked"]

    # When torch pads the real tensor built from params, then the key is what it produces
    if asked == "row":
        padded = _pad_with_torch(params["values"], params["padding"], params["mode"], params["api"])
        assert variant.answer.value == padded[params["row"]]
        for wrong in variant.wrong_answers:
            assert wrong.value != padded[params["row"]]
    elif asked == "which_mode":
        key_mode = params["mode"]
        shown = _pad_with_torch(params["values"], params["padding"], key_mode, "layer")[0]
        assert f"tensor([[[{shown}]]])" in variant.prompt
        for option in params["options"]:
            row = _pad_with_torch(params["values"], params["padding"], option["mode"], "layer")
            assert (row[0] == shown) is (option["label"] == variant.answer.value), option
    elif asked == "runs":
        if params["layer"] == "conv":
            layer = nn.Conv2d(
                params["in_channels"],
                params["out_channels"],
                params["kernel_size"],
                padding=params["padding"],
                padding_mode=params["mode"],
            )
        else:
            layer = LAYERS[params["mode"]](params["padding"])
        x = torch.randn(params["input_shape"])
        if variant.answer.raises:
            with pytest.raises(RuntimeError) as raised:
                layer(x)
            assert variant.answer.raises == "RuntimeError"
            assert variant.answer.display.endswith(f"RuntimeError: {raised.value}")
        else:
            shape = tuple(layer(x).shape)
            correct = next(c for c in variant.choices if c.is_correct)
            assert correct.text == f"It runs: `y.shape` is ({', '.join(map(str, shape))})"
    else:
        pytest.fail(f"unknown question type {asked}")

    # and the rest of the contract holds
    assert_contract(GENERATOR, variant)


def test_circular_pad_layer_exists_in_this_torch() -> None:
    # The family names nn.CircularPad2d; it must be a real layer of the pinned torch.
    y = nn.CircularPad2d((2, 1, 0, 0))(torch.tensor([[[[1, 2, 3, 4]]]]))
    assert y.tolist() == [[[[3, 4, 1, 2, 3, 4, 1]]]]


def test_pad_rules_on_the_documented_row() -> None:
    # Given [1, 2, 3, 4, 5] padded by 2 on each side
    row = [1, 2, 3, 4, 5]
    # Then each mode gives torch's row, and numpy's symmetric repeats the edge
    assert pad_items(row, 2, 2, "zeros") == [0, 0, 1, 2, 3, 4, 5, 0, 0]
    assert pad_items(row, 2, 2, "reflect") == [3, 2, 1, 2, 3, 4, 5, 4, 3]
    assert pad_items(row, 2, 2, "replicate") == [1, 1, 1, 2, 3, 4, 5, 5, 5]
    assert pad_items(row, 2, 2, "circular") == [4, 5, 1, 2, 3, 4, 5, 1, 2]
    assert pad_items(row, 2, 2, "symmetric") == [2, 1, 1, 2, 3, 4, 5, 5, 4]
    assert pad_items(row, 2, 2, "circular_wrong_side") == [1, 2, 1, 2, 3, 4, 5, 4, 5]


def test_pad_grid_matches_torch_corners_included() -> None:
    # Given a 3x3 grid padded by one on every side
    grid = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    for mode in ("zeros", "reflect", "replicate", "circular"):
        # Then the corners come out as torch's
        assert pad_grid(grid, 1, 1, 1, 1, mode) == _pad_with_torch(
            grid, [1, 1, 1, 1], mode, "layer"
        )


def test_padded_row_is_the_row_of_the_padded_grid() -> None:
    # Given a 3x4 grid padded asymmetrically in every mode
    grid = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]
    for mode in ("zeros", "reflect", "replicate", "circular"):
        padded = pad_grid(grid, 2, 1, 2, 2, mode)
        # Then each row computed on its own equals that row of the whole padded grid
        assert [padded_row(grid, 2, 1, 2, 2, mode, row) for row in range(7)] == padded
        assert padded_row(grid, 2, 1, 2, 2, mode, 7) is None


def test_value_mistakes_name_each_wrong_rule() -> None:
    # Given a 1x5 row reflected by 2 on the left and 1 on the right
    mistakes = dict(value_mistakes([[1, 2, 3, 4, 5]], 2, 1, 0, 0, "reflect", 0))
    # Then symmetric and replicate each give their own row
    assert mistakes == {
        "pad_reflect_as_symmetric": [2, 1, 1, 2, 3, 4, 5, 5],
        "pad_reflect_replicate_swapped": [1, 1, 1, 2, 3, 4, 5, 5],
    }


def test_tuple_order_mistake_diagnosed_on_a_grid() -> None:
    # Given a 3x3 grid with (left, right, top, bottom) = (2, 0, 0, 2) in replicate mode
    grid = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    mistakes = dict(value_mistakes(grid, 2, 0, 0, 2, "replicate", 0))
    # Then reading the tuple as (top, bottom, left, right) is a recognised mistake
    assert mistakes["pad_tuple_order"] == [1, 2, 3, 3, 3]


def test_wrong_row_names_the_misconception() -> None:
    # Given an easy reflect question
    variant = next(
        v
        for seed in range(300)
        if (v := GENERATOR.generate(seed=seed, difficulty="easy")).params["mode"] == "reflect"
    )
    values = variant.params["values"][0]
    left, right = variant.params["padding"][:2]
    symmetric = pad_items(values, left, right, "symmetric")
    # When the student repeats the edge value
    result = GENERATOR.check(variant, ", ".join(map(str, symmetric)))
    # Then the feedback names it
    assert result.is_correct is False
    assert result.misconception == "pad_reflect_as_symmetric"


def test_row_of_the_wrong_length_is_unreadable_not_wrong() -> None:
    variant = GENERATOR.generate(seed=3, difficulty="easy")
    result = GENERATOR.check(variant, "1, 2")
    assert result.is_readable is False
    assert f"expects {len(variant.answer.value)}" in result.message


def test_each_difficulty_asks_its_own_kinds_of_question() -> None:
    seen = {
        difficulty: {
            (v.params["asked"], v.answer.kind)
            for seed in range(80)
            for v in [GENERATOR.generate(seed=seed, difficulty=difficulty)]
        }
        for difficulty in Difficulty
    }
    assert seen == {
        Difficulty.EASY: {("row", AnswerKind.SEQUENCE)},
        Difficulty.MEDIUM: {("row", AnswerKind.SEQUENCE), ("which_mode", AnswerKind.CHOICE)},
        Difficulty.HARD: {("row", AnswerKind.SEQUENCE), ("runs", AnswerKind.CHOICE)},
    }


def test_hard_covers_raising_and_running_at_the_limits() -> None:
    runs = [
        v
        for seed in range(400)
        if (v := GENERATOR.generate(seed=seed, difficulty="hard")).params["asked"] == "runs"
    ]
    reasons = {(v.params["mode"], v.answer.raises) for v in runs}
    assert {
        ("reflect", "RuntimeError"),
        ("reflect", None),
        ("circular", "RuntimeError"),
        ("circular", None),
        ("replicate", None),
    } <= reasons
    # reflect right at the limit (padding == size) raises, circular at the limit runs
    for variant in runs:
        height, width = variant.params["input_shape"][2:]
        padding = variant.params["padding"]
        if variant.params["mode"] == "reflect":
            assert (variant.answer.raises is not None) is (padding >= min(height, width))
        if variant.params["mode"] == "circular":
            assert (variant.answer.raises is not None) is (padding > min(height, width))


def test_generation_is_deterministic() -> None:
    for difficulty in Difficulty:
        for seed in (0, 7, 4242):
            assert (
                GENERATOR.generate(seed=seed, difficulty=difficulty).to_dict()
                == GENERATOR.generate(seed=seed, difficulty=difficulty).to_dict()
            )


def test_config_with_padding_not_below_the_size_is_rejected() -> None:
    config = {"input_size": [3, 4], "padding": [3, 5]}
    errors = GENERATOR.validate_config(config)
    assert errors == [
        "padding from 3 is not smaller than the smallest input size 3: reflect padding must be "
        "smaller than the dimension it pads, so those questions could not run"
    ]
    with pytest.raises(ConfigError):
        GENERATOR.generate(seed=0, difficulty="easy", config=config)


def test_template_ranges_narrow_the_draws() -> None:
    for seed in range(40):
        variant = GENERATOR.generate(
            seed=seed, difficulty="easy", config={"input_size": [6, 6], "padding": [1, 1]}
        )
        assert len(variant.params["values"][0]) == 6
        assert variant.params["padding"] == [1, 1, 0, 0]
