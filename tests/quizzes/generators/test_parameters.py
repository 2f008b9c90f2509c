"""Family 13 (parameters): counts agree with torch's parameters and its FLOP counter."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from quizzes.generators.base import AnswerKind, ConfigError, Difficulty
from quizzes.generators.parameters import GENERATOR
from quizzes.misconceptions.parameters import mac_mistakes, parameter_mistakes
from tests.quizzes.generators.contract import assert_contract


def _parameter_count(module: nn.Module) -> int:
    return sum(parameter.numel() for parameter in module.parameters())


def _conv(params: dict) -> nn.Conv2d:
    return nn.Conv2d(
        params["in_channels"],
        params["out_channels"],
        tuple(params["kernel_size"]),
        stride=params.get("stride", 1),
        padding=params.get("padding", 0),
        groups=params["groups"],
        bias=params["bias"],
        device="meta",
    )


def _torch_macs(layer: nn.Module, input_shape: list[int]) -> int:
    """Multiply-accumulates as torch's own FLOP counter sees them (it counts 2 FLOPs per MAC)."""
    with FlopCounterMode(display=False) as counter:
        layer(torch.empty(input_shape, device="meta"))
    flops = counter.get_total_flops()
    assert flops % 2 == 0
    return flops // 2


@settings(max_examples=2000, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**31), difficulty=st.sampled_from(list(Difficulty)))
def test_every_key_matches_torch(seed: int, difficulty: Difficulty) -> None:
    # Given a generated question
    variant = GENERATOR.generate(seed=seed, difficulty=difficulty)
    params = variant.params
    asked = params["asked"]

    # When torch builds the layer(s) from params, then the key is what torch counts
    if asked == "parameters":
        assert variant.answer.value == _parameter_count(_conv(params))
    elif asked == "macs":
        layer = _conv(params)
        assert variant.answer.value == _torch_macs(layer, params["input_shape"])
        # an independent count: weights per output value times the output size torch produces
        out = layer(torch.empty(params["input_shape"], device="meta"))
        per_output = layer.weight[0].numel()
        assert variant.answer.value == per_output * out.numel()
    elif asked == "compare":
        channels, bias = params["in_channels"], params["bias"]
        one_big = nn.Conv2d(channels, channels, 5, padding=2, bias=bias, device="meta")
        two_small = nn.Sequential(
            nn.Conv2d(channels, channels, 3, padding=1, bias=bias, device="meta"),
            nn.Conv2d(channels, channels, 3, padding=1, bias=bias, device="meta"),
        )
        assert variant.answer.value == _parameter_count(one_big) - _parameter_count(two_small)
        # and both blocks really see the same 5x5 region: same output size from the same input
        x = torch.empty(1, channels, 9, 9, device="meta")
        assert one_big(x).shape == two_small(x).shape
    else:
        pytest.fail(f"unknown question type {asked}")

    # and the rest of the contract holds
    assert variant.answer.value > 0
    assert_contract(GENERATOR, variant)


def test_documented_parameter_mistakes() -> None:
    # Given nn.Conv2d(3, 16, kernel_size=3): 16·3·3·3 + 16 = 448 parameters
    assert dict(parameter_mistakes(3, 16, 3, 3, 1, True)) == {
        "count_forgot_bias": 432,
        "count_forgot_in_channels": 160,
        "count_kernel_not_squared": 160,
    }
    # and a grouped layer: nn.Conv2d(8, 16, 3, groups=4, bias=False) has 16·2·9 = 288
    assert dict(parameter_mistakes(8, 16, 3, 3, 4, False)) == {
        "count_forgot_in_channels": 144,
        "count_ignored_groups": 1152,
        "count_bias_when_disabled": 304,
        "count_kernel_not_squared": 96,
        "count_groups_divided_twice": 72,
    }


def test_documented_mac_mistakes() -> None:
    # Given nn.Conv2d(3, 16, 3, stride=2, padding=1) on 1x3x32x32: 27 MACs × 16 × 16 × 16
    mistakes = dict(mac_mistakes(3, 16, 3, 3, 1, True, 32, 32, 16, 16, 1))
    assert mistakes == {
        "macs_used_input_size": 27 * 16 * 32 * 32,
        "macs_forgot_in_channels": 9 * 16 * 16 * 16,
        "macs_counted_bias": 28 * 16 * 16 * 16,
        "macs_forgot_out_channels": 27 * 16 * 16,
    }


def test_forgetting_the_bias_is_diagnosed() -> None:
    variant = next(
        v
        for seed in range(100)
        if (v := GENERATOR.generate(seed=seed, difficulty="easy")).params["bias"]
    )
    weights_only = variant.answer.value - variant.params["out_channels"]
    result = GENERATOR.check(variant, str(weights_only))
    assert result.is_correct is False
    assert result.misconception == "count_forgot_bias"


def test_hard_covers_grouped_depthwise_and_compare() -> None:
    kinds = {
        (v.params["kind"], v.params["asked"])
        for seed in range(200)
        for v in [GENERATOR.generate(seed=seed, difficulty="hard")]
    }
    assert kinds == {
        ("grouped", "parameters"),
        ("depthwise", "parameters"),
        ("grouped", "macs"),
        ("depthwise", "macs"),
        ("compare", "compare"),
    }


def test_easy_and_medium_have_no_groups() -> None:
    for difficulty in ("easy", "medium"):
        for seed in range(100):
            variant = GENERATOR.generate(seed=seed, difficulty=difficulty)
            assert variant.params["groups"] == 1
            assert variant.answer.kind is AnswerKind.INTEGER
    assert {
        GENERATOR.generate(seed=seed, difficulty="medium").params["asked"] for seed in range(50)
    } == {"parameters", "macs"}


def test_depthwise_layers_use_one_group_per_input_channel() -> None:
    for seed in range(200):
        params = GENERATOR.generate(seed=seed, difficulty="hard").params
        if params["kind"] == "depthwise":
            assert params["groups"] == params["in_channels"]
            assert params["out_channels"] in (params["in_channels"], 2 * params["in_channels"])


def test_generation_is_deterministic() -> None:
    for difficulty in Difficulty:
        for seed in (0, 5, 31337):
            assert (
                GENERATOR.generate(seed=seed, difficulty=difficulty).to_dict()
                == GENERATOR.generate(seed=seed, difficulty=difficulty).to_dict()
            )


def test_config_with_inputs_smaller_than_the_kernels_is_rejected() -> None:
    config = {"input_size": [1, 4], "kernel_size": [5, 7]}
    assert GENERATOR.validate_config(config) == [
        "input_size from 1 is smaller than the smallest kernel_size 5: the MAC questions "
        "could not run"
    ]
    with pytest.raises(ConfigError):
        GENERATOR.generate(seed=0, difficulty="medium", config=config)
