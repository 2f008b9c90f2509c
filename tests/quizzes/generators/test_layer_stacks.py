"""Family 6 (layer_stacks): every key agrees with what an nn.Sequential of the layers does."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from quizzes.generators.base import AnswerKind, ConfigError, Difficulty
from quizzes.generators.layer_stacks import GENERATOR
from quizzes.misconceptions import get_misconception
from quizzes.misconceptions.stacks import (
    chained_mistakes,
    count_mistakes,
    count_repeats,
    failing_layer_mistakes,
    run,
)
from tests.quizzes.generators.contract import assert_contract

DIFFICULTIES = st.sampled_from(list(Difficulty))
SEEDS = st.integers(min_value=0, max_value=2**31)
LENET = [
    ("Conv2d", 5, 1, 0, 1, 1, 6),
    ("MaxPool2d", 2, None, 0, 1, False),
    ("Conv2d", 5, 1, 0, 1, 6, 16),
    ("MaxPool2d", 2, None, 0, 1, False),
]


def _module(spec: dict) -> nn.Module:
    """One layer rebuilt from params, on the meta device (shapes only, no memory)."""
    arguments = {key: value for key, value in spec.items() if key != "type"}
    if spec["type"] == "Conv2d":
        arguments["device"] = "meta"
    return getattr(nn, spec["type"])(**arguments)


def _first_failure(
    modules: list[nn.Module], shape: list[int]
) -> tuple[int | None, str, tuple[int, ...]]:
    """(index of the first module that raises or None, its message, the last shape reached)."""
    tensor = torch.empty(shape, device="meta")
    for index, module in enumerate(modules):
        try:
            tensor = module(tensor)
        except RuntimeError as error:
            return index, str(error), tuple(tensor.shape)
    return None, "", tuple(tensor.shape)


@settings(max_examples=2000, deadline=None)
@given(seed=SEEDS, difficulty=DIFFICULTIES)
def test_every_key_matches_torch(seed: int, difficulty: Difficulty) -> None:
    # Given a generated question
    variant = GENERATOR.generate(seed=seed, difficulty=difficulty)
    params = variant.params
    asked = params["asked"]

    if asked == "shape":
        # When torch runs the nn.Sequential built from params
        net = nn.Sequential(*(_module(spec) for spec in params["layers"]))
        shape = tuple(net(torch.empty(params["input_shape"], device="meta")).shape)
        # Then the key is its output shape
        assert variant.answer.kind is AnswerKind.SHAPE
        assert variant.answer.value == shape
    elif asked == "count":
        # When fresh copies of the block run one after another until one raises
        block = [_module(spec) for spec in params["block"]]
        tensor = torch.empty(params["input_shape"], device="meta")
        count = 0
        with pytest.raises(RuntimeError) as raised:  # noqa: PT012 - the loop is the question
            while count <= 1000:
                for module in block:
                    tensor = module(tensor)
                count += 1
        # Then the key is how many ran, and the solution quotes the error torch raised
        assert variant.answer.value == count
        assert f"`RuntimeError: {raised.value}`" in variant.solution_steps[1].body
    else:
        assert asked == "first_failure"
        # When the layers run one at a time
        modules = [_module(spec) for spec in params["layers"]]
        failed, message, reached = _first_failure(modules, params["input_shape"])
        correct = next(choice for choice in variant.choices if choice.is_correct)
        # Then the key names the first layer that raises, and quotes torch's message
        assert params["failing_index"] == failed
        if failed is None:
            assert variant.answer.raises is None
            assert correct.text == "No layer fails: the whole stack runs"
            assert f"is {reached}" in variant.solution_steps[2].body.replace("`", "")
        else:
            assert variant.answer.raises == "RuntimeError"
            assert correct.text.startswith(f"`net[{failed}]`: ")
            assert variant.answer.display.endswith(f"raises `RuntimeError: {message}`")
            assert f"`RuntimeError: {message}`" in variant.solution_steps[1].body

    # and the rest of the contract holds
    assert_contract(GENERATOR, variant)


def test_lenet_stack_and_its_misconceptions() -> None:
    # Given LeNet's 32x32 input through conv5, pool2, conv5, pool2 (32 → 28 → 14 → 10 → 5)
    assert run(32, LENET) == (5, None)
    # When each misconception is replayed through the whole chain
    mistakes = chained_mistakes(32, LENET)
    # Then each gives its documented wrong size
    assert mistakes == [
        ("stack_pool_ignored", 24),  # 32 → 28 → 24
        ("stack_not_chained", 16),  # the last pool applied to 32
        ("pool_stride_assumed_one", 22),  # 32 → 28 → 27 → 23 → 22
        ("forgot_plus_one", 4),  # 32 → 27 → 13 → 8 → 4
        ("ceil_instead_of_floor", 5),
        ("kernel_not_subtracted", 8),  # 32 → 32 → 16 → 16 → 8
    ]
    assert all(get_misconception(identifier) for identifier, _ in mistakes)


def test_thirty_two_pixels_through_five_by_five_convolutions_allow_seven_layers() -> None:
    # Given the lecture's example: a 32x32 image through repeated 5x5 convolutions, no padding
    block = [("Conv2d", 5, 1, 0, 1, 1, 1)]
    # When copies run until one fails (32 → 28 → ... → 4, and 4 < 5)
    count = count_repeats(32, block)
    # Then seven run, and the classic slips give 8 (counting the failing one) and 6 (no + 1)
    assert count == 7
    assert count_mistakes(32, block, count) == [
        ("stack_counted_failing_layer", 8),
        ("forgot_plus_one", 6),
    ]
    # and torch agrees
    tensor = torch.empty(1, 1, 32, 32, device="meta")
    for _ in range(7):
        tensor = nn.Conv2d(1, 1, 5, device="meta")(tensor)
    assert tuple(tensor.shape) == (1, 1, 4, 4)
    with pytest.raises(RuntimeError, match="Kernel size can't be greater than actual input size"):
        nn.Conv2d(1, 1, 5, device="meta")(tensor)


def test_kernel_that_exactly_fits_still_runs() -> None:
    # Given 3x3 convolutions from 9 pixels: 9 → 7 → 5 → 3 → 1, the 4th sees exactly 3 pixels
    block = [("Conv2d", 3, 1, 0, 1, 1, 1)]
    # Then four run, while thinking a kernel as large as the map fails gives three
    assert count_repeats(9, block) == 4
    assert ("stack_kernel_must_be_smaller", 3) in count_mistakes(9, block, 4)


def test_lone_pool_read_with_stride_one_is_counted_in_closed_form() -> None:
    # Given MaxPool2d(2) copies on 20 pixels: 20 → 10 → 5 → 2 → 1, the 5th fails
    block = [("MaxPool2d", 2, None, 0, 1, False)]
    # Then four run; with stride 1 the map shrinks by one a copy: 19 would run
    assert count_repeats(20, block) == 4
    assert count_mistakes(20, block, 4) == [
        ("stack_counted_failing_layer", 5),
        ("pool_stride_assumed_one", 19),
    ]


def test_which_layer_fails_and_who_gets_blamed() -> None:
    # Given LeNet on a 12x12 input: 12 → 8 → 4, then the second 5x5 conv gets 4 < 5
    assert run(12, LENET) == (4, 2)
    # Then blaming the pool before it, or swapping kernel and stride, picks other layers, and
    # giving every layer the 12x12 input (each fits it) or skipping the pools fails none
    assert failing_layer_mistakes(12, LENET) == [
        ("stack_blamed_previous_layer", 1),
        ("stack_pool_ignored", None),
        ("stack_not_chained", None),
        ("pool_stride_assumed_one", None),
        ("kernel_stride_swapped", 3),
        ("kernel_not_subtracted", None),
    ]


def test_each_difficulty_asks_its_own_kinds_of_question() -> None:
    # Given many seeds per difficulty
    variants = {
        difficulty: [GENERATOR.generate(seed=seed, difficulty=difficulty) for seed in range(300)]
        for difficulty in Difficulty
    }

    def shape_layers(variant):  # noqa: ANN001, ANN202 - local helper
        return [s for s in variant.params["layers"] if s["type"] != "ReLU"]

    # Then easy is two shape-changing layers on a square input
    for variant in variants[Difficulty.EASY]:
        assert variant.params["asked"] == "shape"
        assert len(shape_layers(variant)) == 2
        assert variant.params["input_shape"][2] == variant.params["input_shape"][3]
    # medium is three or four, always with a pooling layer
    for variant in variants[Difficulty.MEDIUM]:
        assert variant.params["asked"] == "shape"
        assert len(shape_layers(variant)) in (3, 4)
        assert any(s["type"] == "MaxPool2d" for s in shape_layers(variant))
    # hard mixes all three questions, with non-square inputs, dilation and ceil_mode
    hard = variants[Difficulty.HARD]
    assert {v.params["asked"] for v in hard} == {"shape", "count", "first_failure"}
    shapes = [v for v in hard if v.params["asked"] == "shape"]
    assert any(v.params["input_shape"][2] != v.params["input_shape"][3] for v in shapes)
    assert any(any(s.get("ceil_mode") for s in shape_layers(v)) for v in shapes)
    assert any(any(s.get("dilation", 1) > 1 for s in shape_layers(v)) for v in shapes)
    failures = [v for v in hard if v.params["asked"] == "first_failure"]
    assert any(v.answer.raises is None for v in failures)
    assert any(v.params["failing_index"] and v.params["failing_index"] > 0 for v in failures)


def test_wrong_count_names_the_misconception() -> None:
    # Given a "how many layers" question
    variant = next(
        v
        for seed in range(100)
        if (v := GENERATOR.generate(seed=seed, difficulty="hard")).params["asked"] == "count"
    )
    # When the student also counts the layer that raises
    result = GENERATOR.check(variant, str(variant.answer.value + 1))
    # Then the feedback names that mistake
    assert result.is_correct is False
    assert result.misconception == "stack_counted_failing_layer"


def test_wrong_shape_ignoring_pooling_names_the_misconception() -> None:
    # Given a medium stack (it always pools) where ignoring the pools gives a different shape
    variant = next(
        v
        for seed in range(100)
        if "stack_pool_ignored"
        in (v := GENERATOR.generate(seed=seed, difficulty="medium")).misconceptions
    )
    wrong = next(w.value for w in variant.wrong_answers if w.misconception == "stack_pool_ignored")
    # When the student answers as if MaxPool2d kept the size
    result = GENERATOR.check(variant, "x".join(map(str, wrong)))
    # Then the feedback says pooling shrinks the map
    assert result.misconception == "stack_pool_ignored"
    assert "halves H and W" in result.message


def test_same_seed_gives_the_same_variant_and_a_pinned_key() -> None:
    # Given the same seed twice
    first = GENERATOR.generate(seed=2024, difficulty="medium")
    second = GENERATOR.generate(seed=2024, difficulty="medium")
    # Then the variants are identical, and the key stays what it was when this test was written
    assert first.to_dict() == second.to_dict()
    assert first.answer.value == PINNED_MEDIUM_2024


PINNED_MEDIUM_2024 = (10, 64, 5, 5)  # 27 → 24 → 8 → 5


def test_config_whose_inputs_fit_no_kernel_is_rejected() -> None:
    # Given inputs of at most 4 pixels, no padding, and kernels of at least 7
    config = {"input_size": [4, 4], "kernel_size": [7, 9], "padding": [0, 0]}
    # When the template is validated, then it is refused with a sentence an instructor can act on
    assert GENERATOR.validate_config(config) == [
        "input_size up to 4 with padding up to 0 is smaller than the smallest kernel span 7: "
        "not even the first Conv2d could run"
    ]
    with pytest.raises(ConfigError):
        GENERATOR.generate(seed=1, difficulty="hard", config=config)


def test_config_of_one_by_one_kernels_is_rejected() -> None:
    # Given only 1x1 kernels
    errors = GENERATOR.validate_config({"kernel_size": [1, 1]})
    # Then the template is refused
    assert errors == [
        "every kernel_size is 1: a 1×1 convolution never shrinks the map, so the 'how many "
        "layers' and 'which layer fails' questions have no answer"
    ]


def test_narrowed_config_is_honoured_by_every_question() -> None:
    # Given a template pinned to 3x3 stride-1 convolutions without padding on 30..40 pixels
    config = {"kernel_size": [3, 3], "stride": [1, 1], "padding": [0, 0], "input_size": [30, 40]}
    for seed in range(60):
        for difficulty in Difficulty:
            variant = GENERATOR.generate(seed=seed, difficulty=difficulty, config=config)
            layers = variant.params.get("layers") or variant.params["block"]
            convs = [s for s in layers if s["type"] == "Conv2d"]
            # Then every convolution uses them (the count block keeps its own padded 3x3/5x5)
            if variant.params["asked"] != "count" or len(layers) == 1:
                assert all(s["kernel_size"] == 3 and s["stride"] == 1 for s in convs)
            if variant.params["asked"] == "shape":
                assert all(s["padding"] == 0 for s in convs)
                assert 30 <= variant.params["input_shape"][2] <= 40
