"""Family 3 (concepts): every option's claim is checked against what torch's nn.Conv2d does.

Definitions are checked by behaviour, with the variant's own numbers: the keyed argument must do
what the key says (stride subsamples, padding pads, dilation spreads the taps, ...). Effect and
design questions store each option's claim (a shape, a number, a layer), and torch must agree with
the key's claim and disagree with every distractor's.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F  # noqa: N812 - the usual name
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from quizzes.generators.base import ConfigError, Difficulty
from quizzes.generators.concepts import ARGUMENTS, DEFINITION, GENERATOR
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


def conv(layer: dict, device: str = "meta", **changes) -> nn.Conv2d:
    kwargs = {**layer, **changes}
    return nn.Conv2d(**kwargs, device=device)


def meta_shape(layer: dict, input_shape: list[int], **changes) -> list[int]:
    return list(conv(layer, **changes)(torch.empty(input_shape, device="meta")).shape)


def small(layer: dict) -> dict:
    """The same window settings with few channels, for behavioural checks on real tensors."""
    groups = layer.get("groups", 1)
    return {**layer, "in_channels": groups, "out_channels": groups}


def small_input(layer: dict, input_shape: list[int]) -> torch.Tensor:
    torch.manual_seed(0)
    return torch.randn(
        1, layer.get("groups", 1), input_shape[2], input_shape[3], dtype=torch.float64
    )


def cpu_conv(layer: dict, **changes) -> nn.Conv2d:
    torch.manual_seed(1)
    return conv(layer, "cpu", **changes).double()


# -- behaviour of each argument, with the variant's numbers ----------------------------------


def probe(argument: str, layer: dict, input_shape: list[int]) -> None:
    """Assert, in torch, that ``argument`` does what DEFINITION[argument] says."""
    reduced = small(layer)
    x = small_input(layer, input_shape)
    kernel = layer["kernel_size"]
    with torch.no_grad():
        if argument == "kernel_size":
            # the window: every filter is kernel × kernel, and one output sums one such patch
            assert conv(layer).weight.shape[-2:] == (kernel, kernel)
            ones = cpu_conv(
                reduced,
                stride=1,
                padding=0,
                dilation=1,
                groups=1,
                bias=False,
                in_channels=1,
                out_channels=1,
            )
            ones.weight.fill_(1)
            assert torch.allclose(ones(x[:, :1])[0, 0, 0, 0], x[0, 0, :kernel, :kernel].sum())
        elif argument == "stride":
            # the step: stride s keeps every s-th output of the stride-1 layer
            stride = layer.get("stride", 1)
            strided, unit = cpu_conv(reduced), cpu_conv(reduced, stride=1)
            assert torch.allclose(strided(x), unit(x)[..., ::stride, ::stride])
        elif argument == "padding":
            # the border: zeros added around the input before sliding
            padding = layer.get("padding", 0)
            padded, plain = cpu_conv(reduced), cpu_conv(reduced, padding=0)
            assert torch.allclose(padded(x), plain(F.pad(x, [padding] * 4)))
        elif argument == "dilation":
            # gaps between taps: same as a bigger kernel with zeros between the weights
            dilation = layer.get("dilation", 1)
            dilated = cpu_conv(reduced, bias=False)
            span = dilation * (kernel - 1) + 1
            spread = cpu_conv(reduced, kernel_size=span, dilation=1, bias=False)
            spread.weight.zero_()
            spread.weight[..., ::dilation, ::dilation] = dilated.weight
            assert torch.allclose(dilated(x), spread(x))
            assert dilated.weight.shape[-2:] == (kernel, kernel)
        elif argument == "out_channels":
            # the number of filters = the output's channel dimension
            layer_meta = conv(layer)
            y = layer_meta(torch.empty(input_shape, device="meta"))
            assert layer_meta.weight.shape[0] == y.shape[1] == layer["out_channels"]
        elif argument == "in_channels":
            # the input's required channel count (every filter's depth × groups)
            layer_cpu = conv(layer, "cpu")
            groups = layer.get("groups", 1)
            assert layer_cpu.weight.shape[1] * groups == layer["in_channels"]
            wrong = torch.empty(1, layer["in_channels"] + groups, *input_shape[2:])
            with pytest.raises(RuntimeError, match="channels instead"):
                layer_cpu(wrong)
        elif argument == "groups":
            # independent groups: changing group 0's input leaves the other groups' outputs
            groups = layer.get("groups", 1)
            grouped = cpu_conv(reduced)
            changed = x.clone()
            changed[:, 0] += 1
            before, after = grouped(x), grouped(changed)
            assert not torch.allclose(before[:, 0], after[:, 0])
            assert torch.allclose(before[:, 1:], after[:, 1:])
            assert conv(layer).weight.shape[1] == layer["in_channels"] // groups
        elif argument == "bias":
            # one learnable constant per filter, added everywhere (or none with bias=False)
            layer_cpu = cpu_conv(reduced)
            y = layer_cpu(torch.zeros_like(x))
            if layer.get("bias", True):
                assert torch.allclose(y, layer_cpu.bias.view(1, -1, 1, 1).expand_as(y))
            else:
                assert layer_cpu.bias is None
                assert torch.count_nonzero(y) == 0


# -- requirements of the design scenarios, measured in torch ------------------------------------


def usage_counts(layer: dict, input_shape: list[int]) -> torch.Tensor:
    """How many windows use each input pixel (1 channel, all-ones weights, via the gradient)."""
    single = cpu_conv({**layer, "in_channels": 1, "out_channels": 1, "groups": 1}, bias=False)
    single.weight.data.fill_(1)
    x = torch.zeros(1, 1, input_shape[2], input_shape[3], dtype=torch.float64, requires_grad=True)
    single(x).sum().backward()
    return x.grad[0, 0]


def window_span(layer: dict, input_shape: list[int]) -> int:
    """Rows of the input one output pixel depends on (its gradient's extent)."""
    single = cpu_conv({**layer, "in_channels": 1, "out_channels": 1, "groups": 1}, bias=False)
    single.weight.data.fill_(1)
    x = torch.zeros(1, 1, input_shape[2], input_shape[3], dtype=torch.float64, requires_grad=True)
    y = single(x)
    y[0, 0, y.shape[2] // 2, y.shape[3] // 2].backward()
    rows = torch.nonzero(x.grad[0, 0].abs().sum(dim=1)).flatten()
    return int(rows.max() - rows.min() + 1)


def meets(template: str, requirement: dict, layer: dict, input_shape: list[int]) -> bool:
    try:
        shape = meta_shape(layer, input_shape)
    except (RuntimeError, ValueError):
        return False
    if shape != requirement["output_shape"]:
        return False
    if template == "downsample":
        return bool((usage_counts(layer, input_shape) > 0).all())
    if template == "patches":
        return bool((usage_counts(layer, input_shape) == 1).all())
    weights = conv(layer).weight.numel()
    if template == "groups_weights":
        return weights == requirement["weights"]
    # dilation_window
    return (
        weights == requirement["weights"] and window_span(layer, input_shape) == requirement["span"]
    )


PROPERTY_CHECKS = {
    "channels": lambda before, after: before["y"][1] != after["y"][1],
    "grows": lambda before, after: after["y"][2] > before["y"][2],
    "weights_not_output": lambda before, after: (
        before["weight"] != after["weight"] and before["y"] == after["y"]
    ),
    "parameters_not_shape": lambda before, after: (
        before["parameters"] != after["parameters"] and before["y"] == after["y"]
    ),
    "window_without_weights": lambda before, after: (
        after["span"] > before["span"] and before["weight"] == after["weight"]
    ),
}


def observe(layer: dict, input_shape: list[int], prop: str) -> dict:
    built = conv(layer)
    return {
        "y": list(built(torch.empty(input_shape, device="meta")).shape),
        "weight": list(built.weight.shape),
        "parameters": sum(parameter.numel() for parameter in built.parameters()),
        # measured on real tensors only where the question is about it
        "span": window_span(layer, input_shape) if prop == "window_without_weights" else None,
    }


def check_against_torch(variant) -> None:
    params = variant.params
    template = params["template"]
    layer, input_shape = params["layer"], params["input_shape"]
    options = params["options"]
    key = variant.answer.value
    # the layer shown runs on the input shown
    meta_shape(layer, input_shape)
    if template in ("definition", "which_argument", "value_meaning"):
        assert options[key] == params["argument"]
        assert sorted(options.values()) == sorted(set(options.values()))
        probe(params["argument"], layer, input_shape)
    elif template == "change_shape":
        change = params["change"]
        shape = meta_shape(layer, input_shape, **{change["argument"]: change["value"]})
        assert [label for label, claim in options.items() if claim == shape] == [key]
    elif template == "effect":
        change = params["change"]
        height = meta_shape(layer, input_shape, **{change["argument"]: change["value"]})[2]
        assert [label for label, claim in options.items() if claim == height] == [key]
    elif template == "property":
        before = observe(layer, input_shape, params["property"])
        having = []
        for label, change in options.items():
            changed = {**layer, change["argument"]: change["value"]}
            after = observe(changed, input_shape, params["property"])
            if PROPERTY_CHECKS[params["property"]](before, after):
                having.append(label)
        assert having == [key]
    elif template == "bias_count":
        with_bias = sum(p.numel() for p in conv(layer).parameters())
        without = sum(p.numel() for p in conv(layer, bias=False).parameters())
        assert [label for label, claim in options.items() if claim == with_bias - without] == [key]
    else:
        meeting = [
            label
            for label, option in options.items()
            if meets(template, params["requirement"], option, input_shape)
        ]
        assert meeting == [key]


@settings(max_examples=2000, deadline=None)
@given(seed=SEEDS, difficulty=DIFFICULTIES)
def test_every_claim_agrees_with_torch(seed, difficulty):
    # Given a generated question
    variant = GENERATOR.generate(seed=seed, difficulty=difficulty)
    # When its claims are measured on the torch layers they describe
    # Then only the key's claim is true
    check_against_torch(variant)
    # and every promise of the contract holds
    assert_contract(GENERATOR, variant)


@pytest.mark.parametrize("argument", ARGUMENTS)
def test_each_definition_is_what_torch_does(argument):
    # Given a layer that sets this argument to a telling value
    layer = {
        "in_channels": 4,
        "out_channels": 6,
        "kernel_size": 3,
        "stride": 2,
        "padding": 2,
        "dilation": 2,
        "groups": 2,
        "bias": True,
    }
    # When the argument's behaviour is probed in torch
    # Then it does what its definition says
    probe(argument, layer, [1, 4, 13, 11])
    assert DEFINITION[argument]


@settings(max_examples=300, deadline=None)
@given(seed=SEEDS, difficulty=DIFFICULTIES)
def test_four_options_whose_misconceptions_are_registered(seed, difficulty):
    # Given a generated question
    variant = GENERATOR.generate(seed=seed, difficulty=difficulty)
    # Then it has four options; each wrong one names a catalogued misconception
    assert len(variant.choices) == 4
    for choice in variant.choices:
        if not choice.is_correct:
            assert get_misconception(choice.misconception) is not None, choice.misconception
    # and the prompt shows the layer's code
    assert f"conv = nn.Conv2d({variant.params['layer']['in_channels']}, " in variant.prompt


def test_each_difficulty_uses_its_own_templates():
    # Given many seeds per difficulty
    seen = {difficulty: set() for difficulty in Difficulty}
    for difficulty in Difficulty:
        for seed in range(300):
            seen[difficulty].add(
                GENERATOR.generate(seed=seed, difficulty=difficulty).params["template"]
            )
    # Then easy asks definitions, medium effects and hard design scenarios
    assert seen[Difficulty.EASY] == {"definition", "which_argument", "value_meaning"}
    assert seen[Difficulty.MEDIUM] == {"change_shape", "property", "effect"}
    assert seen[Difficulty.HARD] == {
        "downsample",
        "dilation_window",
        "groups_weights",
        "patches",
        "bias_count",
    }


def test_numbers_differ_between_seeds():
    # Given the same hard template for different seeds
    prompts = {
        GENERATOR.generate(seed=seed, difficulty=Difficulty.HARD).prompt for seed in range(50)
    }
    # Then the numbers (and so the prompts) differ
    assert len(prompts) == 50


def test_pinned_variant_never_changes():
    # Given the easy question for seed 0 (pinned: same seed, same question forever)
    variant = GENERATOR.generate(seed=0, difficulty=Difficulty.EASY)
    # Then it is exactly this question
    assert variant.params["template"] == "definition"
    assert variant.params["argument"] == "dilation"
    assert variant.params["layer"] == {
        "in_channels": 64,
        "out_channels": 55,
        "kernel_size": 6,
        "padding": 2,
        "dilation": 3,
    }
    assert variant.answer.value == "A"
    assert variant.choices[0].text == DEFINITION["dilation"]


def test_same_seed_gives_the_same_variant():
    for difficulty in Difficulty:
        first = GENERATOR.generate(seed=9, difficulty=difficulty, config={"channels": [4, 8]})
        second = GENERATOR.generate(seed=9, difficulty=difficulty, config={"channels": [4, 8]})
        assert first.to_dict() == second.to_dict()


def test_narrow_ranges_still_give_valid_questions():
    # Given the tightest ranges a template may set
    config = {
        "input_size": [8, 8],
        "kernel_size": [7, 7],
        "channels": [1, 1],
        "stride": [3, 3],
        "batch_size": [1, 1],
    }
    for difficulty in Difficulty:
        for seed in range(40):
            # When questions are generated
            variant = GENERATOR.generate(seed=seed, difficulty=difficulty, config=config)
            # Then each is still true in torch
            check_against_torch(variant)


def test_invalid_ranges_are_rejected():
    # Given a range beyond the bounds
    config = {"kernel_size": [1, 9]}
    # When validated
    # Then the instructor is told
    assert GENERATOR.validate_config(config) == [
        "'kernel_size': [1, 9] is outside the allowed [1, 7]"
    ]
    with pytest.raises(ConfigError):
        GENERATOR.generate(seed=0, config=config)
