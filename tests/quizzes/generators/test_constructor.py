"""Family 4 (constructor): exactly one option builds the layer the spec asks for (in torch)."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from quizzes.generators.base import ConfigError, Difficulty
from quizzes.generators.constructor import GENERATOR, bind, layer_repr, render
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


def _as_torch(value):
    return tuple(value) if isinstance(value, list) else value


def build(args, kwargs):
    """nn.Conv2d(*args, **kwargs) on the meta device: the layer, or ('Type', 'message')."""
    call_kwargs = {name: _as_torch(value) for name, value in kwargs.items()}
    try:
        return nn.Conv2d(*(_as_torch(arg) for arg in args), **call_kwargs, device="meta")
    except (TypeError, ValueError) as error:
        return type(error).__name__, str(error)


def settings_of(layer: nn.Conv2d) -> dict:
    return {
        "in_channels": layer.in_channels,
        "out_channels": layer.out_channels,
        "kernel_size": layer.kernel_size,
        "stride": layer.stride,
        "padding": layer.padding,
        "dilation": layer.dilation,
        "groups": layer.groups,
        "bias": layer.bias is not None,
    }


@settings(max_examples=2000, deadline=None)
@given(seed=SEEDS, difficulty=DIFFICULTIES)
def test_exactly_one_option_builds_the_spec_in_torch(seed, difficulty):
    # Given a generated question
    variant = GENERATOR.generate(seed=seed, difficulty=difficulty)
    params = variant.params
    spec_layer = build([], params["spec"])
    assert isinstance(spec_layer, nn.Conv2d)
    matching = []
    for choice in variant.choices:
        option = params["options"][choice.label]
        # When torch builds the option exactly as it is shown
        assert choice.text == f"`{render(option['args'], option['kwargs'])}`"
        built = build(option["args"], option["kwargs"])
        # Then our replay of the binding and the constructor agrees with torch
        simulated = bind(option["args"], option["kwargs"])
        if isinstance(built, tuple):
            assert simulated == built, (choice.text, simulated, built)
            continue
        assert simulated == settings_of(built), choice.text
        if "input_shape" in params:
            # a shape spec: the option must turn x into y
            x = torch.empty(params["input_shape"], device="meta")
            try:
                shape = list(built(x).shape)
            except RuntimeError:
                continue
            if shape == params["output_shape"]:
                matching.append(choice.label)
        elif settings_of(built) == settings_of(spec_layer):
            matching.append(choice.label)
    # and exactly the key meets the spec
    assert matching == [variant.answer.value]
    key = params["options"][variant.answer.value]
    key_layer = build(key["args"], key["kwargs"])
    quick = variant.solution_steps[-1].body
    assert f"`print(conv)` shows `{key_layer!r}`" in quick
    assert layer_repr(settings_of(key_layer)) == repr(key_layer)
    assert_contract(GENERATOR, variant)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ([3, 16], {"kernel": 3}, "Conv2d.__init__() got an unexpected keyword argument 'kernel'"),
        (
            [3, 16],
            {"kernel_size": 3, "pad": 1},
            "Conv2d.__init__() got an unexpected keyword argument 'pad'",
        ),
        (
            [3],
            {"filters": 16, "kernel_size": 3},
            "Conv2d.__init__() got an unexpected keyword argument 'filters'",
        ),
        (
            [3, 16, 3],
            {"strides": 2},
            "Conv2d.__init__() got an unexpected keyword argument 'strides'",
        ),
        (
            [3, 16, 3],
            {"kernel_size": 3},
            "Conv2d.__init__() got multiple values for argument 'kernel_size'",
        ),
        ([3, 16], {}, "Conv2d.__init__() missing 1 required positional argument: 'kernel_size'"),
        (
            [3],
            {},
            "Conv2d.__init__() missing 2 required positional arguments: 'out_channels' "
            "and 'kernel_size'",
        ),
    ],
)
def test_wrong_keywords_raise_type_error_with_pythons_message(args, kwargs, message):
    # Given a call with a keyword nn.Conv2d does not have (or a missing/duplicated argument)
    # When torch builds it, and when bind() replays it
    built = build(args, kwargs)
    # Then both give TypeError with the same message
    assert built == ("TypeError", message)
    assert bind(args, kwargs) == ("TypeError", message)


def test_bias_zero_is_not_a_distractor_because_it_builds_a_layer_without_bias():
    # Given bias=0, which reads like a mistake but is falsy
    layer = build([3, 16, 3], {"bias": 0})
    # Then torch builds a layer without bias, as bind() predicts
    assert layer.bias is None
    assert bind([3, 16, 3], {"bias": 0})["bias"] is False


def test_positional_order_is_stride_then_padding():
    # Given the positional call nn.Conv2d(3, 16, 3, 2, 1)
    layer = build([3, 16, 3, 2, 1], {})
    # Then the fourth number is the stride and the fifth the padding
    assert layer.stride == (2, 2)
    assert layer.padding == (1, 1)
    assert repr(layer) == "Conv2d(3, 16, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))"


@settings(max_examples=300, deadline=None)
@given(seed=SEEDS, difficulty=DIFFICULTIES)
def test_four_options_whose_misconceptions_are_registered(seed, difficulty):
    # Given a generated question
    variant = GENERATOR.generate(seed=seed, difficulty=difficulty)
    # Then it has four options and each wrong one names a catalogued misconception
    assert len(variant.choices) == 4
    for choice in variant.choices:
        if not choice.is_correct:
            assert get_misconception(choice.misconception) is not None, choice.misconception
    # and the prompt asks for a call next to Python code
    assert "```python\n" in variant.prompt
    assert "conv = ...  # which option?" in variant.prompt


def test_hard_mixes_tuple_specs_and_shape_specs():
    # Given many hard questions
    kinds = set()
    for seed in range(200):
        params = GENERATOR.generate(seed=seed, difficulty=Difficulty.HARD).params
        if "input_shape" in params:
            kinds.add("shape")
            assert params["input_shape"][2] != params["input_shape"][3]
        else:
            kinds.add("tuple")
            assert isinstance(params["spec"]["kernel_size"], list)
            assert params["spec"]["kernel_size"][0] != params["spec"]["kernel_size"][1]
    # Then both kinds appear
    assert kinds == {"shape", "tuple"}


def test_medium_specs_add_dilation_bias_or_groups():
    # Given many medium questions
    extras = set()
    for seed in range(200):
        spec = GENERATOR.generate(seed=seed, difficulty=Difficulty.MEDIUM).params["spec"]
        extras.update(name for name in ("dilation", "bias", "groups") if name in spec)
    # Then each extra argument appears
    assert extras == {"dilation", "bias", "groups"}


def test_pinned_variant_never_changes():
    # Given the easy question for seed 0 (pinned: same seed, same question forever)
    variant = GENERATOR.generate(seed=0, difficulty=Difficulty.EASY)
    # Then its spec, options and key are exactly these
    assert variant.params["spec"] == {
        "in_channels": 44,
        "out_channels": 52,
        "kernel_size": 6,
        "padding": 1,
    }
    assert [choice.text for choice in variant.choices] == [
        "`nn.Conv2d(44, 52, kernel_size=6, padding=1)`",
        "`nn.Conv2d(52, 44, kernel_size=6, padding=1)`",
        "`nn.Conv2d(44, 52, kernel=6, padding=1)`",
        "`nn.Conv2d(44, 52, kernel_size=36, padding=1)`",
    ]
    assert variant.answer.value == "A"


def test_same_seed_gives_the_same_variant():
    for difficulty in Difficulty:
        first = GENERATOR.generate(seed=5, difficulty=difficulty, config={"stride": [1, 3]})
        second = GENERATOR.generate(seed=5, difficulty=difficulty, config={"stride": [1, 3]})
        assert first.to_dict() == second.to_dict()


def test_ranges_that_could_not_run_a_shape_spec_are_rejected():
    # Given inputs smaller than the largest kernel
    config = {"input_size": [8, 16], "kernel_size": [3, 11]}
    # When validated
    errors = GENERATOR.validate_config(config)
    # Then the instructor is told why
    assert errors == [
        "input_size from 8 is smaller than kernel_size up to 11: a shape spec could ask for a "
        "layer that cannot run"
    ]
    with pytest.raises(ConfigError):
        GENERATOR.generate(seed=1, config=config)
