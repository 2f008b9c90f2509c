"""Family 2 (same_padding): every key agrees with what nn.Conv2d actually does."""

from __future__ import annotations

import re
import subprocess
import sys
import warnings

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from quizzes.generators.base import AnswerKind, ConfigError, Difficulty
from quizzes.generators.same_padding import GENERATOR
from quizzes.misconceptions import get_misconception
from quizzes.misconceptions import same_padding as mistakes
from tests.quizzes.generators.contract import assert_contract

DIFFICULTIES = st.sampled_from(list(Difficulty))
SEEDS = st.integers(min_value=0, max_value=2**31)
STRIDED_MESSAGE = "padding='same' is not supported for strided convolutions"
LAYER_ARGUMENTS = ("kernel_size", "stride", "padding", "dilation")
pytestmark = pytest.mark.filterwarnings(
    "ignore:Using padding='same' with even kernel lengths:UserWarning"
)


def _layer(params: dict, **overrides: object) -> nn.Conv2d:
    arguments = {
        "kernel_size": params["kernel_size"],
        "stride": params["stride"],
        "padding": params["padding"],
        "dilation": params["dilation"],
        **overrides,
    }
    return nn.Conv2d(params["in_channels"], params["out_channels"], device="meta", **arguments)


def _meta_shape(layer: nn.Module, shape: list[int]) -> tuple[int, ...]:
    return tuple(layer(torch.empty(shape, device="meta")).shape)


def _keeps_size(layer: nn.Conv2d, shape: list[int]) -> bool:
    """Whether the layer maps the input to the same H and W (False if it refuses to run)."""
    try:
        output = _meta_shape(layer, shape)
    except RuntimeError as error:
        message = str(error)
    else:
        return output[2:] == tuple(shape[2:])
    assert "Kernel size can't be greater than actual input size" in message
    return False


def _zero_run(values: torch.Tensor, *, from_end: bool) -> int:
    """How many leading (or trailing) entries of a 1-D tensor are exactly 0."""
    ordered = values.flip(0) if from_end else values
    count = 0
    for value in ordered.tolist():
        if value != 0:
            break
        count += 1
    return count


def _torch_same_split(kernel: int, dilation: int, *, rows: bool) -> tuple[int, int]:
    """Where torch's padding='same' puts its zeros, read off the output values.

    The weight is all zero except one tap, so each output pixel copies one pixel of the padded
    input: with the first tap the leading zeros of the output are the top/left padding, with the
    last tap the trailing zeros are the bottom/right padding. The input is all ones.
    """
    total = dilation * (kernel - 1)
    size = total + 4
    counts = []
    for tap, from_end in ((0, False), (-1, True)):
        conv = nn.Conv2d(1, 1, kernel, padding="same", dilation=dilation, bias=False)
        with torch.no_grad():
            conv.weight.zero_()
            conv.weight[0, 0, tap, tap] = 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "may require a zero-padded copy"
            output = conv(torch.ones(1, 1, size, size))[0, 0]
        assert output.shape == (size, size)
        line = output[:, size // 2] if rows else output[size // 2, :]
        counts.append(_zero_run(line, from_end=from_end))
    return counts[0], counts[1]


@settings(max_examples=2000, deadline=None)
@given(seed=SEEDS, difficulty=DIFFICULTIES)
def test_every_key_matches_torch(seed: int, difficulty: Difficulty) -> None:
    # Given a generated question
    variant = GENERATOR.generate(seed=seed, difficulty=difficulty)
    params = variant.params
    kind = params["kind"]
    batch, _, height, width = params["input_shape"]
    kept = (batch, params["out_channels"], height, width)

    # When torch builds the layer(s) from params, then the key is what torch does
    if kind == "padding_value":
        assert _meta_shape(_layer(params), params["input_shape"]) == kept
        assert variant.answer.value == params["padding"]
        for wrong in variant.wrong_answers:  # every diagnosed padding really fails to keep it
            assert _keeps_size(_layer(params, padding=wrong.value), params["input_shape"]) is False
    elif kind == "which_layer":
        for option in params["options"]:
            arguments = {key: option[key] for key in LAYER_ARGUMENTS}
            is_correct = option["label"] == variant.answer.value
            if option["padding"] == "same" and option["stride"] > 1:
                with pytest.raises(ValueError, match=re.escape(STRIDED_MESSAGE)):
                    _layer(params, **arguments)
                assert not is_correct
                continue
            keeps = _keeps_size(_layer(params, **arguments), params["input_shape"])
            assert keeps is is_correct, option
    elif kind == "even_split":
        assert _meta_shape(_layer(params), params["input_shape"]) == kept
        split = _torch_same_split(
            params["kernel_size"], params["dilation"], rows=params["asked"] == "rows"
        )
        assert variant.answer.value == split
    elif kind == "even_int_padding":
        shape = _meta_shape(_layer(params), params["input_shape"])
        assert variant.answer.value == shape[2]
        assert shape[2] != height  # the point of the question: no int padding keeps the size
    else:
        assert kind == "strided_same"
        with pytest.raises(ValueError, match=re.escape(STRIDED_MESSAGE)):
            _layer(params)
        assert variant.answer.raises == "ValueError"
        assert variant.answer.display == f"raises ValueError: {STRIDED_MESSAGE}"
        correct = next(choice for choice in variant.choices if choice.is_correct)
        assert f"ValueError: {STRIDED_MESSAGE}" in correct.text

    # and every other promise of the contract holds
    assert_contract(GENERATOR, variant)


def test_strided_message_is_torchs_own() -> None:
    # Given padding='same' with stride 2, when nn.Conv2d is built, then torch says exactly this
    with pytest.raises(ValueError, match="strided") as raised:
        nn.Conv2d(3, 8, kernel_size=3, stride=2, padding="same")
    assert str(raised.value) == mistakes.STRIDED_SAME_MESSAGE

    # and a stride of 1 in one dimension does not help
    with pytest.raises(ValueError, match="strided") as raised:
        nn.Conv2d(3, 8, kernel_size=3, stride=(2, 1), padding="same")
    assert str(raised.value) == mistakes.STRIDED_SAME_MESSAGE


def test_even_kernel_warning_is_torchs_own() -> None:
    # Given an even kernel with padding='same' in a fresh process (torch warns once per process)
    script = (
        "import warnings, torch\n"
        "warnings.simplefilter('always')\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    torch.nn.Conv2d(1, 1, 4, padding='same')(torch.zeros(1, 1, 8, 8))\n"
        "print('\\n'.join(str(w.message) for w in caught))\n"
    )

    # When it runs, then torch warns in the words the solution quotes
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert mistakes.EVEN_SAME_WARNING in result.stdout


@pytest.mark.parametrize(
    ("kernel", "dilation", "split"),
    [(2, 1, (0, 1)), (4, 1, (1, 2)), (6, 1, (2, 3)), (4, 3, (4, 5)), (8, 1, (3, 4))],
)
def test_torch_puts_the_extra_pixel_last(kernel: int, dilation: int, split: tuple) -> None:
    # Given an odd total padding, when torch pads for 'same', then the extra row/column comes last
    assert _torch_same_split(kernel, dilation, rows=True) == split
    assert _torch_same_split(kernel, dilation, rows=False) == split


def test_padding_mistakes_give_the_documented_values() -> None:
    # Given kernel_size 5 and dilation 2 (the right padding is 4)
    kernel, dilation = 5, 2

    # When each mistake is applied, then it gives its own wrong padding
    assert mistakes.SAME_PADDING_NOT_HALVED.wrong_answer(kernel, dilation) == 8
    assert mistakes.SAME_PADDING_IGNORED_DILATION.wrong_answer(kernel, dilation) == 2
    assert mistakes.SAME_PADDING_ROUNDED_UP.wrong_answer(kernel, dilation) == 5
    assert mistakes.SAME_PADDING_ALWAYS_ONE.wrong_answer(kernel, dilation) == 1
    assert mistakes.SAME_PADDING_NONE_NEEDED.wrong_answer(kernel, dilation) == 0
    assert mistakes.SAME_PADDING_IGNORED_DILATION.wrong_answer(5, 1) is None
    assert mistakes.SAME_PADDING_EXTRA_ON_LEFT.wrong_answer(4, 1) == (2, 1)
    assert mistakes.SAME_PADDING_EXTRA_ON_LEFT.wrong_answer(5, 1) is None
    assert mistakes.SAME_PADDING_SYMMETRIC_EVEN.wrong_answer(30, 4, 1) == 30
    assert mistakes.SAME_PADDING_SYMMETRIC_EVEN.wrong_answer(30, 4, 2) is None
    assert mistakes.SAME_LIKE_TENSORFLOW.wrong_answer(33, 2) == 17


def test_every_difficulty_asks_its_own_kinds() -> None:
    # Given 300 seeds per difficulty, when generated, then each difficulty covers its kinds
    kinds = {
        difficulty: {
            GENERATOR.generate(seed=seed, difficulty=difficulty).params["kind"]
            for seed in range(300)
        }
        for difficulty in Difficulty
    }
    assert kinds[Difficulty.EASY] == {"padding_value"}
    assert kinds[Difficulty.MEDIUM] == {"padding_value", "which_layer"}
    assert kinds[Difficulty.HARD] == {"even_split", "even_int_padding", "strided_same"}


def test_easy_uses_odd_kernels_and_medium_dilation() -> None:
    easy = [GENERATOR.generate(seed=seed, difficulty="easy").params for seed in range(300)]
    medium = [GENERATOR.generate(seed=seed, difficulty="medium").params for seed in range(300)]
    assert {params["kernel_size"] % 2 for params in easy} == {1}
    assert {params["dilation"] for params in easy} == {1}
    assert min(params["dilation"] for params in medium) == 2


def test_wrong_padding_names_its_misconception() -> None:
    # Given an easy question with kernel_size 5, so the key is 2
    variant = next(
        v
        for v in (GENERATOR.generate(seed=seed, difficulty="easy") for seed in range(100))
        if v.params["kernel_size"] == 5
    )
    assert variant.params["dilation"] == 1
    assert variant.answer.value == 2

    # When the student types K − 1, then the feedback names that mistake
    result = GENERATOR.check(variant, "4")
    assert result.is_correct is False
    assert result.misconception == "same_padding_not_halved"
    assert "(K − 1)/2" in result.message

    # and the key in any spelling is right
    assert GENERATOR.check(variant, " 2 ").is_correct


def test_strided_choice_names_same_with_stride() -> None:
    # Given a strided 'same' question
    variant = next(
        v
        for v in (GENERATOR.generate(seed=seed, difficulty="hard") for seed in range(100))
        if v.params["kind"] == "strided_same"
    )
    kept = next(c for c in variant.choices if c.misconception == "same_with_stride")

    # When the student picks "it keeps the size", then the feedback names the misconception
    result = GENERATOR.check(variant, kept.label)
    assert result.is_correct is False
    assert result.misconception == "same_with_stride"
    assert get_misconception("same_with_stride") is not None
    assert GENERATOR.check(variant, variant.answer.value).is_correct


def test_same_seed_gives_the_same_variant() -> None:
    for difficulty in Difficulty:
        for seed in (0, 1, 2**31):
            first = GENERATOR.generate(seed=seed, difficulty=difficulty).to_dict()
            again = GENERATOR.generate(seed=seed, difficulty=difficulty).to_dict()
            assert first == again


def test_pinned_variants_do_not_drift() -> None:
    # Same template + seed gives the same variant forever
    pinned = {
        (Difficulty.EASY, 0): ("padding_value", [6, 30, 14, 14], 3, 1, 1),
        (Difficulty.MEDIUM, 2): ("padding_value", [11, 27, 20, 20], 3, 3, 3),
        (Difficulty.HARD, 2): ("even_int_padding", [28, 231, 11, 11], 8, 1, 12),
    }
    for (difficulty, seed), expected in pinned.items():
        variant = GENERATOR.generate(seed=seed, difficulty=difficulty)
        params = variant.params
        assert (
            params["kind"],
            params["input_shape"],
            params["kernel_size"],
            params["dilation"],
            variant.answer.value,
        ) == expected


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"kernel_size": [1, 1]}, "kernel_size must reach at least 2"),
        ({"kernel_size": [4, 4], "dilation": [1, 1]}, "has no symmetric padding"),
        ({"stride": [0, 2]}, "outside the allowed"),
        ({"colour": [1, 2]}, "unknown parameter 'colour'"),
    ],
)
def test_invalid_configs_are_rejected(config: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        GENERATOR.generate(seed=1, difficulty="easy", config=config)


@pytest.mark.parametrize(
    "config",
    [
        {"kernel_size": [4, 4], "dilation": [2, 2]},
        {"kernel_size": [3, 3], "stride": [1, 1]},
        {"input_size": [1, 1], "kernel_size": [2, 15], "dilation": [1, 6], "stride": [1, 8]},
        {"kernel_size": [2, 2], "dilation": [1, 2], "stride": [2, 2]},
    ],
)
def test_narrow_configs_still_give_valid_questions(config: dict) -> None:
    # Given a tight but valid template, when every difficulty is generated, then torch agrees
    assert GENERATOR.validate_config(config) == []
    for difficulty in Difficulty:
        for seed in range(40):
            variant = GENERATOR.generate(seed=seed, difficulty=difficulty, config=config)
            params = variant.params
            if params["kind"] == "strided_same":
                with pytest.raises(ValueError, match=re.escape(STRIDED_MESSAGE)):
                    _layer(params)
                continue
            if params["kind"] == "which_layer":
                continue  # covered by the property test
            shape = _meta_shape(_layer(params), params["input_shape"])
            if variant.answer.kind is AnswerKind.INTEGER and params["kind"] != "padding_value":
                assert shape[2] == variant.answer.value
            else:
                assert shape[2:] == tuple(params["input_shape"][2:])
            assert_contract(GENERATOR, variant)
