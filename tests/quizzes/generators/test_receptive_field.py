"""Family 7 (receptive_field): every key agrees with a receptive field measured with torch.

The measurement: give every Conv2d all-ones weights and no bias, swap each MaxPool2d for an
AvgPool2d of the same window (the max sends its gradient to a single pixel, the average to all of
them; the window is the same), feed ones (so every ReLU passes its gradient), and take the
gradient of one central output pixel with respect to the input. The receptive field is the
extent of the input rows that gradient reaches (all positive sums: nothing cancels).
"""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from quizzes.generators.base import ConfigError, Difficulty
from quizzes.generators.receptive_field import GENERATOR
from quizzes.misconceptions import get_misconception
from quizzes.misconceptions.receptive import inverse_mistakes, layers_needed, stack_mistakes
from quizzes.shapes import ReceptiveLayer, receptive_field
from tests.quizzes.generators.contract import assert_contract

DIFFICULTIES = st.sampled_from(list(Difficulty))
SEEDS = st.integers(min_value=0, max_value=2**31)


def _module(spec: dict) -> nn.Module:
    """One layer of the question, rebuilt from params with one channel and all-ones weights."""
    arguments = {key: value for key, value in spec.items() if key != "type"}
    if spec["type"] == "ReLU":
        return nn.ReLU()
    if spec["type"] == "MaxPool2d":
        return nn.AvgPool2d(
            arguments["kernel_size"], stride=arguments["stride"], padding=arguments["padding"]
        )
    assert spec["type"] == "Conv2d"
    arguments["in_channels"] = arguments["out_channels"] = 1
    conv = nn.utils.skip_init(nn.Conv2d, **arguments, bias=False)  # no random init: ones
    with torch.no_grad():
        conv.weight.fill_(1.0)
    return conv


def _smallest_input(specs: list[dict], outputs: int) -> int:
    """The smallest input side on which the stack produces ``outputs`` pixels."""
    needed = outputs
    for spec in reversed(specs):
        if spec["type"] != "ReLU":
            stride = spec["stride"] or spec["kernel_size"]
            span = spec.get("dilation", 1) * (spec["kernel_size"] - 1) + 1
            needed = max(1, (needed - 1) * stride + span - 2 * spec["padding"])
    return needed


def measured_field(specs: list[dict]) -> int:
    """The receptive field (along H) of one output pixel, read off the input gradient.

    Output pixel (row, 0) is measured, with ``row`` the first whose field starts inside the
    input (the padding shifts fields up and left by ``offset``): its rows then lie wholly in the
    input. Along W its field starts in the padding but its last tap, at field − 1 − offset, is a
    real column, which is all the gradient needs. The input is no larger than that, to keep the
    thousands of runs cheap while every layer is the question's own square one.
    """
    field, jump, offset = 1, 1, 0
    for spec in specs:
        if spec["type"] != "ReLU":
            stride = spec["stride"] or spec["kernel_size"]
            offset += spec["padding"] * jump
            field += spec.get("dilation", 1) * (spec["kernel_size"] - 1) * jump
            jump *= stride
    row = -(-offset // jump)
    first = row * jump - offset
    height = max(first + field, _smallest_input(specs, row + 1))
    width = max(field - offset, _smallest_input(specs, 1))
    net = nn.Sequential(*(_module(spec) for spec in specs))
    image = torch.ones(1, 1, height, width, requires_grad=True)
    net(image)[0, 0, row, 0].backward()
    rows = torch.nonzero(image.grad[0, 0].sum(dim=1)).flatten()
    assert int(rows.min()) == first  # the whole field is inside the input
    return int(rows.max() - rows.min()) + 1


@pytest.fixture(autouse=True)
def one_torch_thread():  # noqa: ANN201 - pytest fixture
    """Thousands of tiny convolutions: a second thread only adds hand-over cost on 2 cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@settings(max_examples=2000, deadline=None)
@given(seed=SEEDS, difficulty=DIFFICULTIES)
def test_every_key_matches_the_field_torch_measures(seed: int, difficulty: Difficulty) -> None:
    # Given a generated question
    variant = GENERATOR.generate(seed=seed, difficulty=difficulty)
    params = variant.params

    if params["asked"] == "receptive_field":
        # When the stack is rebuilt from params and its field measured
        # Then the key is that field
        assert variant.answer.value == measured_field(params["layers"])
    else:
        assert params["asked"] == "layers_needed"
        # When that many copies of the layer are stacked, then they reach the target, and one
        # copy fewer (one layer's widening less, measured on a single copy) does not
        count = variant.answer.value
        layer = params["layer"]
        field = measured_field([layer] * count)
        widening = measured_field([layer]) - 1
        assert field >= params["target"] > field - widening
        assert count >= 2

    # and the rest of the contract holds
    assert_contract(GENERATOR, variant)


def test_two_three_by_three_convolutions_see_five_pixels() -> None:
    # Given two padded 3x3 convolutions with a ReLU between
    specs = [
        {"type": "Conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": 3, "stride": 1,
         "padding": 1, "dilation": 1},
        {"type": "ReLU"},
        {"type": "Conv2d", "in_channels": 8, "out_channels": 8, "kernel_size": 3, "stride": 1,
         "padding": 1, "dilation": 1},
    ]  # fmt: skip
    # When torch measures the field, then it is 5, and adding up the kernels would say 6
    assert measured_field(specs) == 5
    assert stack_mistakes([(3, 1, 1, False), (3, 1, 1, False)]) == [
        ("rf_summed_kernels", 6),
        ("rf_forgot_start_pixel", 4),
        ("rf_last_layer_only", 3),
    ]


def test_stride_multiplies_the_jump_of_later_layers() -> None:
    # Given conv 3x3 stride 2, then MaxPool2d(2), then conv 3x3 (a field of 1 + 2 + 2 + 2·4 = 13)
    stack = [(3, 2, 1, False), (2, 2, 1, True), (3, 1, 1, False)]
    # When each misconception is applied
    mistakes = dict(stack_mistakes(stack))
    # Then each gives its documented wrong field
    assert mistakes == {
        "rf_summed_kernels": 8,
        "rf_ignored_jump": 6,
        "rf_skipped_pooling": 7,
        "rf_jump_includes_own_stride": 17,
        "rf_forgot_start_pixel": 12,
        "rf_last_layer_only": 3,
    }
    assert receptive_field([ReceptiveLayer(3, 2), ReceptiveLayer(2, 2), ReceptiveLayer(3)]) == 13
    assert all(get_misconception(identifier) for identifier in mistakes)


def test_dilation_widens_the_field() -> None:
    # Given a 3x3 conv with dilation 2 after a plain 3x3 conv: 1 + 2 + 4 = 7
    stack = [(3, 1, 1, False), (3, 1, 2, False)]
    # Then ignoring the dilation gives 5
    assert ("rf_ignored_dilation", 5) in stack_mistakes(stack)


def test_inverse_question_counts_layers() -> None:
    # Given 3x3 stride-1 layers and a target of 10 pixels: 1 + 2n >= 10 needs n = 5
    assert layers_needed(10, 3) == 5
    # Then adding up kernels (3n >= 10) gives 4; forgetting the start pixel (2n >= 10) gives 5 too,
    # which is the key, so it diagnoses nothing here
    assert inverse_mistakes(10, 3) == [("rf_summed_kernels", 4)]
    # and with dilation 2 (each layer adds 4): n = 3; spans of 5 added up give 2, ignoring the
    # dilation gives 5
    assert layers_needed(10, 3, 2) == 3
    assert inverse_mistakes(10, 3, 2) == [("rf_summed_kernels", 2), ("rf_ignored_dilation", 5)]


def test_each_difficulty_asks_its_own_kinds_of_question() -> None:
    # Given many seeds per difficulty
    variants = {
        difficulty: [GENERATOR.generate(seed=seed, difficulty=difficulty) for seed in range(300)]
        for difficulty in Difficulty
    }

    def convs(variant):  # noqa: ANN001, ANN202 - local helper
        return [s for s in variant.params["layers"] if s["type"] == "Conv2d"]

    # Then easy stacks are stride-1 3x3 convolutions only
    for variant in variants[Difficulty.EASY]:
        assert variant.params["asked"] == "receptive_field"
        assert all(s["type"] != "MaxPool2d" for s in variant.params["layers"])
        assert all(s["kernel_size"] == 3 and s["stride"] == 1 for s in convs(variant))
    # medium adds strides and pooling, never dilation
    medium = variants[Difficulty.MEDIUM]
    assert all(v.params["asked"] == "receptive_field" for v in medium)
    assert all(any(s["type"] == "MaxPool2d" for s in v.params["layers"]) for v in medium)
    assert any(any(s["stride"] > 1 for s in convs(v)) for v in medium)
    assert all(all(s["dilation"] == 1 for s in convs(v)) for v in medium)
    # hard adds dilation and the inverse question
    hard = variants[Difficulty.HARD]
    assert {v.params["asked"] for v in hard} == {"receptive_field", "layers_needed"}
    assert any(
        any(s["dilation"] > 1 for s in convs(v))
        for v in hard
        if v.params["asked"] == "receptive_field"
    )


def test_wrong_free_answer_names_the_misconception() -> None:
    # Given an easy stack of n 3x3 convolutions (field 2n + 1)
    variant = GENERATOR.generate(seed=7, difficulty="easy")
    layers = len([s for s in variant.params["layers"] if s["type"] == "Conv2d"])
    # When the student adds the kernel sizes
    result = GENERATOR.check(variant, str(3 * layers))
    # Then the feedback names that mistake
    assert result.is_correct is False
    assert result.misconception == "rf_summed_kernels"
    assert variant.answer.value == 2 * layers + 1


def test_same_seed_gives_the_same_variant_and_a_pinned_key() -> None:
    # Given the same seed twice
    first = GENERATOR.generate(seed=2024, difficulty="hard")
    second = GENERATOR.generate(seed=2024, difficulty="hard")
    # Then the variants are identical, and the key stays what it was when this test was written
    assert first.to_dict() == second.to_dict()
    assert first.answer.value == PINNED_HARD_2024


PINNED_HARD_2024 = 6


def test_config_without_room_for_a_convolution_is_rejected() -> None:
    # Given stacks of at most 2 layers with at least 2 pools
    errors = GENERATOR.validate_config({"layer_count": [1, 2], "pool_count": [2, 2]})
    # Then the template is refused with a sentence an instructor can act on
    assert errors == [
        "pool_count from 2 leaves no room for a convolution in stacks of at most 2 layers: a "
        "stack starts with a Conv2d"
    ]


def test_config_of_one_by_one_kernels_is_rejected() -> None:
    # Given only 1x1 kernels
    with pytest.raises(ConfigError) as raised:
        GENERATOR.generate(seed=1, difficulty="easy", config={"kernel_size": [1, 1]})
    # Then the template is refused
    assert raised.value.errors == [
        "every kernel_size is 1: a 1×1 convolution never widens the receptive field, so there "
        "would be nothing to work out"
    ]
