"""Family 12 (design): the checker accepts exactly the settings that torch maps to the target."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F  # noqa: N812
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from quizzes.generators.base import AnswerKind, ConfigError, Difficulty
from quizzes.generators.design import GENERATOR, parse_setting
from tests.quizzes.generators.contract import assert_round_trips, assert_well_formed

CANDIDATE = st.tuples(
    st.integers(min_value=0, max_value=8),  # kernel_size (0: torch refuses)
    st.integers(min_value=0, max_value=4),  # stride (0: torch refuses)
    st.integers(min_value=-1, max_value=5),  # padding (-1: torch refuses)
    st.integers(min_value=1, max_value=5),  # dilation
)


def _torch_size(layers: list[tuple[int, int, int, int]], height: int, width: int):
    """(H, W) torch produces through these layers, or None if it raises.

    The meta device computes shapes without data but skips some of Conv2d's argument checks
    (kernel_size 0, dilation 0), so a layer with a non-positive argument runs on a real CPU
    tensor, where torch refuses it before computing anything. One channel: channels do not
    change the spatial size.
    """
    x = torch.empty(1, 1, height, width, device="meta")
    try:
        for kernel, stride, padding, dilation in layers:
            device = "meta" if min(kernel, stride, dilation) > 0 and padding >= 0 else "cpu"
            weight = torch.empty(1, 1, max(kernel, 0), max(kernel, 0), device=device)
            x = F.conv2d(x.to(device), weight, stride=stride, padding=padding, dilation=dilation)
    except (RuntimeError, ValueError, ZeroDivisionError):
        return None
    return tuple(x.shape[2:])


def _within_rules(spec: dict, layers) -> bool:
    for kernel, stride, padding, dilation in layers:
        for name, value in (("kernel_size", kernel), ("stride", stride), ("dilation", dilation)):
            low, high = spec[name]
            if not low <= value <= high:
                return False
        if padding > (dilation * (kernel - 1) + 1) // 2:
            return False
    return True


def _spell(layers, names: list[str]) -> str:
    """The student's answer in the short named form, one layer per ';'."""
    short = {"kernel_size": "k", "stride": "s", "padding": "p", "dilation": "d"}
    order = ("kernel_size", "stride", "padding", "dilation")
    return "; ".join(
        " ".join(f"{short[name]}={layer[order.index(name)]}" for name in names) for layer in layers
    )


@settings(max_examples=2000, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**31),
    difficulty=st.sampled_from(list(Difficulty)),
    candidates=st.lists(CANDIDATE, min_size=8, max_size=8),
)
def test_checker_agrees_with_torch(seed: int, difficulty: Difficulty, candidates) -> None:
    # Given a design question
    variant = GENERATOR.generate(seed=seed, difficulty=difficulty)
    spec, params = variant.answer.value, variant.params
    height, width = spec["input"]
    target = tuple(spec["target"])

    # Then its example solution gives the target shape in torch, built from params
    x = torch.empty(params["input_shape"], device="meta")
    channels = [params["in_channels"], params["mid_channels"], params["out_channels"]]
    if len(params["example"]) == 1:
        channels = [params["in_channels"], params["out_channels"]]
    for index, (kernel, stride, padding, dilation) in enumerate(params["example"]):
        x = nn.Conv2d(
            channels[index],
            channels[index + 1],
            kernel,
            stride=stride,
            padding=padding,
            dilation=dilation,
            device="meta",
        )(x)
    assert list(x.shape) == params["target_shape"]
    assert _within_rules(spec, params["example"])
    assert GENERATOR.check(variant, variant.answer.display).is_correct

    # and for sampled answers, the verdict is "torch gives the target and the rules hold"
    names = spec["names"]
    for index in range(0, len(candidates), spec["layers"]):
        layers = [
            (k, s, p, d if "dilation" in names else 1)
            for k, s, p, d in candidates[index : index + spec["layers"]]
        ]
        produced = _torch_size(layers, height, width)
        expected = produced == target and _within_rules(spec, layers)
        result = GENERATOR.check(variant, _spell(layers, names))
        assert result.is_readable
        assert result.is_correct is expected, (layers, produced, result.message)
        if produced is None:
            assert result.misconception == "design_torch_refuses", result
        elif not expected and produced != target:
            square = height == width
            got = str(produced[0]) if square else f"{produced[0]}×{produced[1]}"
            assert f" gives {got}, not " in result.message


def test_answer_spellings_all_accepted() -> None:
    # Given an easy question whose example is kernel_size=k, stride=s, padding=p
    variant = GENERATOR.generate(seed=11, difficulty="easy")
    kernel, stride, padding, _ = variant.answer.value["example"][0]
    spellings = [
        f"kernel_size={kernel}, stride={stride}, padding={padding}",
        f"k={kernel} s={stride} p={padding}",
        f"  {kernel}, {stride}, {padding} ",
        f"({kernel}, {stride}, {padding})",
        f"[{kernel},{stride},{padding}]",
        f"padding={padding}, kernel_size={kernel}, stride={stride}",
        f"K = {kernel}, S = {stride}, P = {padding}",
        f"kernel: {kernel}, stride: {stride}, pad: {padding}",
    ]
    for spelling in spellings:
        # Then every spelling is read the same way and accepted
        result = GENERATOR.check(variant, spelling)
        assert result.is_correct, (spelling, result)
        assert result.normalized == f"kernel_size={kernel}, stride={stride}, padding={padding}"


def test_two_layer_answers_in_every_accepted_form() -> None:
    variant = next(
        v
        for seed in range(200)
        if (v := GENERATOR.generate(seed=seed, difficulty="hard")).params["kind"] == "two_layers"
    )
    (k1, s1, p1, _), (k2, s2, p2, _) = variant.answer.value["example"]
    for spelling in (
        f"{k1}, {s1}, {p1}, {k2}, {s2}, {p2}",
        f"k={k1} s={s1} p={p1}; k={k2} s={s2} p={p2}",
        f"kernel_size={k1}, stride={s1}, padding={p1}\nkernel_size={k2}, stride={s2}, padding={p2}",
        f"{k1} {s1} {p1} | {k2} {s2} {p2}",
    ):
        assert GENERATOR.check(variant, spelling).is_correct, spelling


def test_dilation_defaults_to_one_when_left_out() -> None:
    variant = next(
        v
        for seed in range(200)
        if (v := GENERATOR.generate(seed=seed, difficulty="hard")).params["kind"] == "dilation"
    )
    layers = parse_setting("k=3 s=1 p=1", variant.answer.value)
    assert layers == [(3, 1, 1, 1)]


def test_wrong_setting_says_what_it_produces() -> None:
    # Given "32x32 to 16x16" with kernel_size=3, stride=2, padding=1 as the example
    variant = _find(
        lambda v: v.answer.value["input"] == [32, 32] and v.answer.value["target"] == [16, 16],
        "easy",
    )
    # When the student forgets the padding
    result = GENERATOR.check(variant, "kernel_size=3, stride=2, padding=0")
    # Then the message says what that setting gives, with the working
    assert result.is_correct is False
    assert result.message.startswith(
        "Not quite: kernel_size=3, stride=2, padding=0 gives 15, not 16 "
        "(H: ⌊(32 + 2·0 − 3) / 2⌋ + 1 = ⌊29/2⌋ + 1 = 15)."
    )


def test_setting_right_only_under_a_formula_mistake_is_named() -> None:
    variant = _find(
        lambda v: v.answer.value["input"] == [32, 32] and v.answer.value["target"] == [16, 16],
        "easy",
    )
    # kernel 2, stride 2, padding 1: under "padding counted once" it would give 16
    result = GENERATOR.check(variant, "2, 2, 1")
    assert result.is_correct is False
    assert "gives 17, not 16" in result.message
    assert result.misconception == "padding_not_doubled"


def test_rule_breaking_setting_is_refused_even_if_the_shape_is_right() -> None:
    variant = _find(
        lambda v: v.answer.value["input"] == [32, 32] and v.answer.value["target"] == [16, 16],
        "easy",
    )
    # kernel 7, stride 2, padding 3 gives 16 but the rules allow kernels up to 5 only
    result = GENERATOR.check(variant, "k=7 s=2 p=3")
    assert result.is_correct is False
    assert result.misconception == "design_broke_rule"
    assert "gives 16, the target, but kernel_size=7 is outside 1..5" in result.message


def test_setting_torch_refuses_is_named() -> None:
    variant = GENERATOR.generate(seed=5, difficulty="easy")
    result = GENERATOR.check(variant, "k=3 s=0 p=1")
    assert result.is_correct is False
    assert result.is_readable is True
    assert result.misconception == "design_torch_refuses"


def test_non_square_setting_that_fits_only_the_height_is_named() -> None:
    # Given a medium question, and a setting that maps the height right but not the width
    for seed in range(400):
        variant = GENERATOR.generate(seed=seed, difficulty="medium")
        spec = variant.answer.value
        (height, width), (target_h, target_w) = spec["input"], spec["target"]
        for stride in (1, 2, 3):
            for kernel in range(1, 8):
                for padding in range(kernel // 2 + 1):
                    out_h = (height + 2 * padding - kernel) // stride + 1
                    out_w = (width + 2 * padding - kernel) // stride + 1
                    if out_h == target_h and out_w != target_w:
                        result = GENERATOR.check(variant, f"{kernel}, {stride}, {padding}")
                        if result.misconception == "design_one_dimension_only":
                            assert result.is_correct is False
                            return
    pytest.fail("no medium question had a height-only setting")


@pytest.mark.parametrize(
    "raw", ["", "   ", "banana", "3, 2", "k=3 s=2", "x=3 s=2 p=1", "1/2", "3, 2, 1; 3, 2, 1"]
)
def test_unreadable_answers_get_a_message_not_an_exception(raw: str) -> None:
    variant = GENERATOR.generate(seed=3, difficulty="easy")
    result = GENERATOR.check(variant, raw)
    assert result.is_readable is False
    assert result.is_correct is False
    assert result.message


def test_contract_on_many_variants() -> None:
    for difficulty in Difficulty:
        for seed in range(150):
            variant = GENERATOR.generate(seed=seed, difficulty=difficulty)
            assert variant.answer.kind is AnswerKind.DESIGN
            assert_well_formed(variant)
            assert_round_trips(variant)
            assert variant.choices == []
            # wrong answers are diagnosed as the misconception they are listed under
            for wrong in variant.wrong_answers:
                result = GENERATOR.check(variant, str(wrong.value))
                assert result.is_correct is False
                assert result.misconception == wrong.misconception
            assert GENERATOR.generate(seed=seed, difficulty=difficulty).to_dict() == (
                variant.to_dict()
            )


def test_each_difficulty_asks_its_own_design() -> None:
    kinds = {
        difficulty: {
            (v.params["kind"], v.answer.value["input"][0] == v.answer.value["input"][1])
            for seed in range(100)
            for v in [GENERATOR.generate(seed=seed, difficulty=difficulty)]
        }
        for difficulty in Difficulty
    }
    assert kinds[Difficulty.EASY] == {("one_layer", True)}
    assert kinds[Difficulty.MEDIUM] == {("one_layer", False)}
    assert {kind for kind, _ in kinds[Difficulty.HARD]} == {"dilation", "two_layers"}


def test_config_with_inputs_smaller_than_every_kernel_is_rejected() -> None:
    config = {"input_size": [4, 8], "kernel_size": [5, 7]}
    errors = GENERATOR.validate_config(config)
    assert errors == [
        "input_size from 4 is smaller than the smallest allowed kernel span 5: some questions "
        "would have no valid answer"
    ]
    with pytest.raises(ConfigError):
        GENERATOR.generate(seed=0, difficulty="easy", config=config)


def _find(predicate, difficulty: str):
    for seed in range(20000):
        variant = GENERATOR.generate(
            seed=seed, difficulty=difficulty, config={"input_size": [32, 32]}
        )
        if predicate(variant):
            return variant
    raise AssertionError("no such variant")
