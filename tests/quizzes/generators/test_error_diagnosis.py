"""Family 5 (error_diagnosis): every key is what torch 2.13 really does, message for message."""

from __future__ import annotations

import warnings

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from quizzes.generators.base import ConfigError, Difficulty
from quizzes.generators.error_diagnosis import (
    CHANNELS,
    GENERATOR,
    KERNEL,
    REFLECT,
    simulate,
)
from quizzes.misconceptions import get_misconception
from tests.quizzes.generators.contract import assert_contract

SEEDS = st.integers(min_value=0, max_value=2**31 - 1)
DIFFICULTIES = st.sampled_from(list(Difficulty))


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """Tiny tensors gain nothing from threads; on a busy machine the thread pool's hand-offs
    cost more than the convolutions themselves (30 ms instead of 1 ms per call here)."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


# Checks whose message differs on the meta device ("Invalid channel dimensions", reflect padding
# printing torch.Size): those keys are checked on CPU, where the error fires before any compute.
CPU_ONLY_CHECKS = {CHANNELS, REFLECT}


def _as_torch(value):
    return tuple(value) if isinstance(value, list) else value


def run_torch(params, device):
    """Build the layer from params and call it: ('raises', 'Type: message') or ('runs', shape)."""
    kwargs = {name: _as_torch(value) for name, value in params["kwargs"].items()}
    if device == "meta" and params["layer"] == "Conv2d":
        kwargs["device"] = "meta"  # no weight initialisation: shapes only
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            layer = getattr(nn, params["layer"])(**kwargs)
            y = layer(torch.empty(params["input_shape"], device=device))
        except (RuntimeError, ValueError, TypeError) as error:
            return "raises", f"{type(error).__name__}: {error}"
    return "runs", tuple(y.shape)


def _shape_text(shape):
    return "(" + ", ".join(map(str, shape)) + ")"


@settings(max_examples=2000, deadline=None)
@given(seed=SEEDS, difficulty=DIFFICULTIES)
def test_key_is_what_torch_does(seed, difficulty):
    # Given a generated question
    variant = GENERATOR.generate(seed=seed, difficulty=difficulty)
    # When torch builds the layer from params and runs it: on CPU when the key says it raises
    # (errors fire before any compute, and CPU's message is the reference), else on meta
    kind, result = run_torch(variant.params, "cpu" if variant.answer.raises else "meta")
    # Then the key says exactly what torch did
    correct = next(choice for choice in variant.choices if choice.is_correct)
    if variant.answer.raises is None:
        assert kind == "runs"
        assert variant.answer.display == _shape_text(result)
        assert correct.text == f"Runs: output {_shape_text(result)}"
    else:
        assert kind == "raises"
        assert result == variant.answer.display
        assert result.startswith(variant.answer.raises + ": ")
        assert correct.text.startswith(f"Raises {variant.answer.raises}: ")
        final = next(step for step in variant.solution_steps if step.title == "Final answer")
        assert result in final.body
    # and every promise of the contract holds
    assert f"x = torch.randn({', '.join(map(str, variant.params['input_shape']))})" in (
        variant.prompt
    )
    assert_contract(GENERATOR, variant)


def test_meta_device_agrees_with_cpu_for_the_checks_tested_on_meta():
    # Given small variants of every difficulty (few channels, small batch)
    config = {"channels": [1, 4], "batch_size": [1, 2], "input_size": [8, 16]}
    for difficulty in Difficulty:
        for seed in range(150):
            variant = GENERATOR.generate(seed=seed, difficulty=difficulty, config=config)
            # When the layer runs on the meta device and on real CPU tensors
            meta = run_torch(variant.params, "meta")
            cpu = run_torch(variant.params, "cpu")
            # Then both agree, except the checks the property test runs on CPU anyway
            outcome = simulate(
                variant.params["layer"], variant.params["kwargs"], variant.params["input_shape"]
            )
            if outcome.check not in CPU_ONLY_CHECKS:
                assert meta == cpu, (difficulty, seed, variant.params)


def test_tutorial_page_002_layer_runs_and_gives_16x16():
    # Given the layer seed page 002 (question 4) calls an error
    params = {
        "layer": "Conv2d",
        "input_shape": [1, 3, 28, 28],
        "kwargs": {
            "in_channels": 3,
            "out_channels": 16,
            "kernel_size": 3,
            "stride": 2,
            "padding": 3,
        },
    }
    # When simulated and when run in torch
    outcome = simulate(params["layer"], params["kwargs"], params["input_shape"])
    # Then both say it runs with a 16x16 output
    assert outcome.raises is None
    assert outcome.shape == (1, 16, 16, 16)
    assert run_torch(params, "cpu") == ("runs", (1, 16, 16, 16))


def test_tutorial_page_000_oversized_kernel_raises_instead_of_giving_zero():
    # Given the 1x1 input with a 3x3 kernel from seed page 000
    params = {
        "layer": "Conv2d",
        "input_shape": [1, 1, 1, 1],
        "kwargs": {"in_channels": 1, "out_channels": 10, "kernel_size": 3, "stride": 2},
    }
    # When simulated
    outcome = simulate(params["layer"], params["kwargs"], params["input_shape"])
    # Then it raises torch's kernel-size error, word for word
    assert outcome.check == KERNEL
    assert outcome.raises == "RuntimeError"
    assert outcome.message == (
        "Calculated padded input size per channel: (1 x 1). Kernel size: (3 x 3). Kernel size "
        "can't be greater than actual input size"
    )
    assert run_torch(params, "cpu") == ("raises", f"RuntimeError: {outcome.message}")


@pytest.mark.parametrize(
    ("layer", "kwargs", "input_shape", "expected"),
    [
        (
            "Conv2d",
            {"in_channels": 3, "out_channels": 16, "kernel_size": 3},
            [1, 28, 28],
            "RuntimeError: Given groups=1, weight of size [16, 3, 3, 3], expected input[1, 1, 28, "
            "28] to have 3 channels, but got 1 channels instead",
        ),
        (
            "Conv2d",
            {
                "in_channels": 3,
                "out_channels": 16,
                "kernel_size": 3,
                "stride": 2,
                "padding": "same",
            },
            [1, 3, 28, 28],
            "ValueError: padding='same' is not supported for strided convolutions",
        ),
        (
            "Conv2d",
            {
                "in_channels": 3,
                "out_channels": 8,
                "kernel_size": 3,
                "padding": [5, 1],
                "padding_mode": "reflect",
            },
            [1, 3, 4, 9],
            "RuntimeError: Argument #6: Padding size should be less than the corresponding input "
            "dimension, but got: padding (5, 5) at dimension 2 of input [1, 3, 4, 9]",
        ),
        (
            "MaxPool2d",
            {"kernel_size": 3, "padding": 2},
            [1, 3, 8, 8],
            "RuntimeError: pad should be at most half of effective kernel size, but got pad=2, "
            "kernel_size=3 and dilation=1",
        ),
        (
            "AvgPool2d",
            {"kernel_size": 5},
            [2, 3, 2, 9],
            "RuntimeError: Given input size: (3x2x9). Calculated output size: (3x0x1). Output size "
            "is too small",
        ),
        (
            "Conv2d",
            {
                "in_channels": 3,
                "out_channels": 8,
                "kernel_size": 3,
                "padding": 5,
                "padding_mode": "circular",
            },
            [1, 3, 4, 4],
            "RuntimeError: Padding value causes wrapping around more than once.",
        ),
        (
            "Conv2d",
            {"in_channels": 1, "out_channels": 8, "kernel_size": 3},
            [28, 28],
            "RuntimeError: Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input "
            "of size: [28, 28]",
        ),
        (
            "Conv2d",
            {"in_channels": 6, "out_channels": 8, "kernel_size": 3, "groups": 4},
            [1, 6, 8, 8],
            "ValueError: in_channels must be divisible by groups",
        ),
    ],
)
def test_simulated_messages_match_torch_exactly(layer, kwargs, input_shape, expected):
    # Given a layer and input that fail one specific check
    params = {"layer": layer, "kwargs": kwargs, "input_shape": input_shape}
    # When simulated and run in torch on CPU
    outcome = simulate(layer, kwargs, input_shape)
    # Then the simulated "Type: message" is torch's, exactly
    assert f"{outcome.raises}: {outcome.message}" == expected
    assert run_torch(params, "cpu") == ("raises", expected)


@pytest.mark.parametrize(
    ("layer", "kwargs", "input_shape", "shape"),
    [
        # replicate padding has no size limit, unlike reflect
        (
            "Conv2d",
            {
                "in_channels": 3,
                "out_channels": 16,
                "kernel_size": 3,
                "padding": 5,
                "padding_mode": "replicate",
            },
            [1, 3, 4, 4],
            (1, 16, 12, 12),
        ),
        # circular padding may equal the size
        (
            "Conv2d",
            {
                "in_channels": 3,
                "out_channels": 16,
                "kernel_size": 3,
                "padding": 4,
                "padding_mode": "circular",
            },
            [1, 3, 4, 4],
            (1, 16, 10, 10),
        ),
        # padding='same' fits a kernel larger than the input
        (
            "Conv2d",
            {"in_channels": 3, "out_channels": 16, "kernel_size": 7, "padding": "same"},
            [1, 3, 3, 3],
            (1, 16, 3, 3),
        ),
        # an unbatched input gives an unbatched output
        (
            "Conv2d",
            {"in_channels": 3, "out_channels": 16, "kernel_size": 3},
            [3, 10, 12],
            (16, 8, 10),
        ),
    ],
)
def test_surprising_layers_that_run(layer, kwargs, input_shape, shape):
    # Given a layer that looks like it should fail
    params = {"layer": layer, "kwargs": kwargs, "input_shape": input_shape}
    # When simulated and run in torch
    outcome = simulate(layer, kwargs, input_shape)
    # Then both say it runs, with the same shape
    assert outcome.raises is None
    assert outcome.shape == shape
    assert run_torch(params, "cpu") == ("runs", shape)


@settings(max_examples=300, deadline=None)
@given(seed=SEEDS, difficulty=DIFFICULTIES)
def test_four_options_whose_misconceptions_are_registered(seed, difficulty):
    # Given a generated question
    variant = GENERATOR.generate(seed=seed, difficulty=difficulty)
    # Then it has four options, and each wrong one names a catalogued misconception whose
    # title the feedback shows
    assert len(variant.choices) == 4
    for choice in variant.choices:
        if choice.is_correct:
            continue
        misconception = get_misconception(choice.misconception)
        assert misconception is not None, choice.misconception
        result = GENERATOR.check(variant, choice.label)
        assert misconception.title.rstrip(".") in result.message
    assert variant.misconceptions == [c.misconception for c in variant.choices if c.misconception]


@pytest.mark.parametrize("raw", ["Z", "runs", "1, 16, 16, 16", "AB", None, "x" * 600])
def test_garbage_answers_are_unreadable_with_a_message_not_an_exception(raw):
    # Given a question
    variant = GENERATOR.generate(seed=3, difficulty=Difficulty.MEDIUM)
    # When the answer cannot be read as an option
    result = GENERATOR.check(variant, raw)
    # Then it is unreadable and says why
    assert not result.is_correct
    assert not result.is_readable
    assert result.message


def test_same_seed_gives_the_same_variant():
    # Given two generations with the same seed, difficulty and config
    for difficulty in Difficulty:
        first = GENERATOR.generate(seed=77, difficulty=difficulty, config={"channels": [2, 8]})
        second = GENERATOR.generate(seed=77, difficulty=difficulty, config={"channels": [2, 8]})
        # Then they are identical
        assert first.to_dict() == second.to_dict()


def test_pinned_variant_never_changes():
    # Given the easy question for seed 1 (pinned: same seed, same question forever)
    variant = GENERATOR.generate(seed=1, difficulty=Difficulty.EASY)
    # Then its params and key are exactly these
    assert variant.params == {
        "layer": "Conv2d",
        "kwargs": {"in_channels": 10, "out_channels": 14, "kernel_size": 5},
        "input_shape": [3, 10, 2, 2],
        "scenario": "kernel_too_large",
    }
    assert variant.answer.value == "D"
    assert variant.answer.raises == "RuntimeError"
    assert variant.answer.display == (
        "RuntimeError: Calculated padded input size per channel: (2 x 2). Kernel size: (5 x 5). "
        "Kernel size can't be greater than actual input size"
    )


def test_every_scenario_appears_at_its_difficulty():
    # Given many seeds per difficulty
    seen = {difficulty: set() for difficulty in Difficulty}
    for difficulty in Difficulty:
        for seed in range(400):
            seen[difficulty].add(
                GENERATOR.generate(seed=seed, difficulty=difficulty).params["scenario"]
            )
    # Then each difficulty covers its own scenarios
    assert seen[Difficulty.EASY] == {
        "runs",
        "kernel_too_large",
        "channel_mismatch",
        "same_with_stride",
    }
    assert seen[Difficulty.MEDIUM] == {
        "large_padding_runs",
        "padding_rescues",
        "dilated_too_large",
        "reflect_too_large",
        "reflect_fits",
        "pool_padding_too_large",
        "image_without_channels",
    }
    assert seen[Difficulty.HARD] == {
        "tuple_one_dimension",
        "channels_before_kernel",
        "reflect_before_channels",
        "unbatched_runs",
        "unbatched_channel_mismatch",
        "replicate_runs",
        "circular",
        "same_large_kernel",
        "groups_not_divisible",
        "pool_output_too_small",
        "reflect_tuple",
    }


def test_invalid_template_ranges_are_rejected_with_sentences():
    # Given ranges outside the bounds, reversed, or unknown
    config = {"channels": [0, 4], "batch_size": [5, 2], "kernel": [1, 3]}
    # When validated
    errors = GENERATOR.validate_config(config)
    # Then every problem is reported
    assert errors == [
        "'channels': [0, 4] is outside the allowed [1, 64]",
        "'batch_size': low 5 is greater than high 2",
        "unknown parameter 'kernel' (this family has: batch_size, channels, input_size)",
    ]
    with pytest.raises(ConfigError):
        GENERATOR.generate(seed=1, config=config)
