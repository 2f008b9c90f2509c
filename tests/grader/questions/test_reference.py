"""The trusted reference evaluation: hidden draws, expected shapes and traces, rule checks."""

from __future__ import annotations

import random
import re
import sys

import pytest

from grader.questions.base import CodeVariant, Constraint, ConstraintKind, InputRange
from grader.reference import (
    BrokenReferenceError,
    ConstraintResult,
    ExpectedCase,
    LayerRecord,
    allowed_sizes,
    check_constraints,
    clear_reference_cache,
    corner_shapes,
    draw_hidden_shapes,
    expected_outputs,
    reference_parameter_count,
    trace_layer_types,
    warm_up,
)

# Reference snippets below append to this list when they are built, to count builds.
BUILDS: list[str] = []

HEAD = (
    f"import sys\nimport torch\nimport torch.nn as nn\nBUILDS = sys.modules[{__name__!r}].BUILDS\n"
)

TWO_STAGE = (
    HEAD
    + """
class Stem(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU())
        self.down = nn.Conv2d(8, 16, 3, stride=2, padding=1)

    def forward(self, x):
        return self.down(self.body(x))


BUILDS.append("two-stage")
model = Stem()
"""
)

NO_META_KERNEL = (
    HEAD
    + """
class CpuOnly(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, x):
        if x.is_meta:
            raise NotImplementedError("no meta kernel for this operator")
        return self.conv(x)


def build():
    BUILDS.append("cpu-only")
    return CpuOnly()
"""
)


def variant_with(code: str, *, entry: str = "model", seed: int = 1, **changes) -> CodeVariant:
    defaults = {
        "template": "test-reference",
        "seed": seed,
        "title": "Test",
        "prompt": "",
        "starter_code": "",
        "reference_code": code,
        "entry": entry,
        "visible_input": (2, 3, 8, 8),
        "hidden_inputs": (
            InputRange(3, (1, 4), (4, 16), (4, 16), multiple_of=2),
            InputRange(3, (5, 8), (20, 30), (20, 30), square=True),
        ),
    }
    return CodeVariant(**{**defaults, **changes})


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    clear_reference_cache()
    BUILDS.clear()


# --- hidden inputs ----------------------------------------------------------------------------


def test_allowed_sizes_are_the_multiples_in_range() -> None:
    assert list(allowed_sizes(5, 17, 4)) == [8, 12, 16]
    assert list(allowed_sizes(3, 5)) == [3, 4, 5]
    with pytest.raises(ValueError, match="no multiple of 8 in"):
        allowed_sizes(9, 15, 8)


def test_drawn_shapes_follow_their_ranges() -> None:
    variant = variant_with(TWO_STAGE)
    rng = random.Random(5)

    for _ in range(200):
        first, second = draw_hidden_shapes(variant, rng)

        assert first[1] == 3
        assert 1 <= first[0] <= 4
        assert 4 <= first[2] <= 16
        assert first[2] % 2 == 0
        assert first[3] % 2 == 0
        assert 5 <= second[0] <= 8
        assert second[2] == second[3]
        assert 20 <= second[2] <= 30


def test_seeded_draws_repeat_and_default_draws_use_the_whole_range() -> None:
    variant = variant_with(TWO_STAGE)

    assert draw_hidden_shapes(variant, random.Random(9)) == draw_hidden_shapes(
        variant, random.Random(9)
    )
    heights = {draw_hidden_shapes(variant)[0][2] for _ in range(400)}
    assert heights == {4, 6, 8, 10, 12, 14, 16}


def test_corner_shapes_cover_every_end() -> None:
    assert corner_shapes(InputRange(3, (1, 2), (5, 9), (7, 8), multiple_of=2)) == [
        (1, 3, 6, 8),
        (1, 3, 8, 8),
        (2, 3, 6, 8),
        (2, 3, 8, 8),
    ]
    assert corner_shapes(InputRange(1, (4, 4), (3, 5), (3, 5), square=True)) == [
        (4, 1, 3, 3),
        (4, 1, 5, 5),
    ]


# --- expected shapes and traces ---------------------------------------------------------------


def test_expected_outputs_give_shape_and_trace_on_meta() -> None:
    variant = variant_with(TWO_STAGE)

    first, second = expected_outputs(variant, [(2, 3, 8, 8), (1, 3, 9, 12)])

    assert first == ExpectedCase(
        input_shape=(2, 3, 8, 8),
        output_shape=(2, 16, 4, 4),
        trace=(
            LayerRecord("", "Stem", ((2, 3, 8, 8),), ((2, 16, 4, 4),)),
            LayerRecord("body", "Sequential", ((2, 3, 8, 8),), ((2, 8, 8, 8),)),
            LayerRecord("body.0", "Conv2d", ((2, 3, 8, 8),), ((2, 8, 8, 8),)),
            LayerRecord("body.1", "ReLU", ((2, 8, 8, 8),), ((2, 8, 8, 8),)),
            LayerRecord("down", "Conv2d", ((2, 8, 8, 8),), ((2, 16, 4, 4),)),
        ),
        device="meta",
    )
    assert second.output_shape == (1, 16, 5, 6)
    assert ExpectedCase.from_dict(first.to_dict()) == first


def test_warm_up_runs_every_operator_family_on_meta() -> None:
    warm_up()


def test_reference_is_built_once_per_question_and_seed() -> None:
    variant = variant_with(TWO_STAGE)

    expected_outputs(variant, [(2, 3, 8, 8)])
    expected_outputs(variant, [(3, 3, 10, 10), (2, 3, 8, 8)])
    reference_parameter_count(variant)

    assert BUILDS == ["two-stage"]


def test_an_edited_reference_is_never_answered_from_the_old_one() -> None:
    variant = variant_with(TWO_STAGE)
    edited = variant_with(TWO_STAGE.replace("stride=2", "stride=1"))

    (before,) = expected_outputs(variant, [(2, 3, 8, 8)])
    (after,) = expected_outputs(edited, [(2, 3, 8, 8)])

    assert before.output_shape == (2, 16, 4, 4)
    assert after.output_shape == (2, 16, 8, 8)


def test_factory_entry_and_cpu_fallback_when_meta_is_not_implemented() -> None:
    variant = variant_with(NO_META_KERNEL, entry="build")

    (case,) = expected_outputs(variant, [(2, 3, 8, 8)])
    (again,) = expected_outputs(variant, [(2, 3, 8, 8)])

    assert case.output_shape == (2, 4, 6, 6)
    assert case.device == "cpu"
    assert again is case
    assert BUILDS.count("cpu-only") == 2  # one meta attempt, one CPU module


def test_parameter_count_of_the_reference() -> None:
    assert reference_parameter_count(variant_with(TWO_STAGE)) == (3 * 8 * 9 + 8) + (8 * 16 * 9 + 16)


@pytest.mark.parametrize(
    ("code", "entry", "message"),
    [
        (HEAD + "model = nn.Conv2d(3, 4, 3)\n", "build", "does not define 'build'"),
        (HEAD + "model = 42\n", "model", "'model' is a int, neither a module nor a factory"),
        (HEAD + "def build():\n    return 42\n", "build", "'build' gave a int, not an"),
        (HEAD + "model = nn.Conv2d(4, 4, 3)\n", "model", "failed on meta for (2, 3, 8, 8)"),
        (HEAD + "model = nn.Conv2d(3, 4, kernel=3)\n", "model", "failed to build"),
        (
            HEAD + "model = nn.ModuleList([nn.Identity()])\n",
            "model",
            "cannot run on CPU",
        ),
    ],
)
def test_a_broken_reference_raises_broken_reference_error(
    code: str, entry: str, message: str
) -> None:
    variant = variant_with(code, entry=entry)

    with pytest.raises(BrokenReferenceError, match=re.escape(message)):
        expected_outputs(variant, [(2, 3, 8, 8)])


def test_reference_code_runs_in_a_fresh_namespace() -> None:
    leaky = HEAD + "assert 'LEAK' not in globals()\nLEAK = 1\nmodel = nn.Identity()\n"

    expected_outputs(variant_with(leaky, seed=1), [(1, 3, 4, 4)])
    expected_outputs(variant_with(leaky, seed=2), [(1, 3, 4, 4)])

    assert "LEAK" not in sys.modules[__name__].__dict__


# --- constraints ------------------------------------------------------------------------------

TWO_CONVS = Constraint(ConstraintKind.LAYER_COUNT, "Use exactly two Conv2d.", "Conv2d", 2)
AT_MOST_ONE_POOL = Constraint(
    ConstraintKind.MAX_LAYER_COUNT, "At most one pool.", "MaxPool2d|AvgPool2d", 1
)
NO_POOLING = Constraint(ConstraintKind.FORBIDDEN_LAYER, "No pooling.", "MaxPool2d|AvgPool2d")
NEEDS_NORM = Constraint(ConstraintKind.REQUIRED_LAYER, "Use BatchNorm2d.", "BatchNorm2d")
BUDGET = Constraint(ConstraintKind.MAX_PARAMETERS, "At most 1,000 parameters.", value=1000)


def test_constraints_pass_with_messages() -> None:
    types = ["Sequential", "Conv2d", "BatchNorm2d", "Conv2d", "AvgPool2d"]

    results = check_constraints(
        [TWO_CONVS, AT_MOST_ONE_POOL, NEEDS_NORM, BUDGET], types, parameter_count=1000
    )

    assert results == [
        ConstraintResult(TWO_CONVS, True, "Found 2 Conv2d layer(s); the question asks for 2."),
        ConstraintResult(
            AT_MOST_ONE_POOL, True, "Found 1 MaxPool2d or AvgPool2d layer(s); at most 1 allowed."
        ),
        ConstraintResult(NEEDS_NORM, True, "Found 1 BatchNorm2d layer(s)."),
        ConstraintResult(
            BUDGET, True, "Your model has 1,000 trainable parameters: within the limit of 1,000."
        ),
    ]


def test_constraints_fail_with_messages() -> None:
    types = ["Conv2d", "MaxPool2d", "AvgPool2d", "Conv2d", "Conv2d"]

    results = check_constraints(
        [TWO_CONVS, AT_MOST_ONE_POOL, NO_POOLING, NEEDS_NORM, BUDGET], types, parameter_count=1001
    )

    assert [(result.passed, result.message) for result in results] == [
        (False, "Found 3 Conv2d layer(s); the question asks for 2."),
        (False, "Found 2 MaxPool2d or AvgPool2d layer(s); at most 1 allowed."),
        (False, "Found AvgPool2d, MaxPool2d, which this question does not allow."),
        (False, "No BatchNorm2d layer found; one is required."),
        (False, "Your model has 1,001 trainable parameters: over the limit of 1,000."),
    ]


def test_forbidden_layer_absent_passes_and_unknown_parameter_count_fails() -> None:
    no_pool, budget = check_constraints([NO_POOLING, BUDGET], ["Conv2d"], parameter_count=None)

    assert (no_pool.passed, no_pool.message) == (True, "No MaxPool2d or AvgPool2d layer found.")
    assert budget.passed is False
    assert budget.to_dict()["constraint"] == BUDGET.to_dict()


def test_trace_layer_types_counts_a_reused_layer_once() -> None:
    trace = [
        LayerRecord("", "Net", ((1, 3, 8, 8),), ((1, 3, 8, 8),)),
        LayerRecord("conv", "Conv2d", ((1, 3, 8, 8),), ((1, 3, 8, 8),)),
        LayerRecord("conv", "Conv2d", ((1, 3, 8, 8),), ((1, 3, 8, 8),)),
        LayerRecord("act", "ReLU", ((1, 3, 8, 8),), ((1, 3, 8, 8),)),
    ]

    assert trace_layer_types(trace) == ["Net", "Conv2d", "ReLU"]
