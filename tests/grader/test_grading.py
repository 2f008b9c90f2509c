"""The grade of one sandbox outcome, on plain data (no database, no sandbox)."""

from __future__ import annotations

import pytest

from grader.feedback import diagnose_shape, first_divergence
from grader.grading import RULE_BROKEN_CAP, ConstraintVerdict, ExpectedCase, grade
from grader.sandbox_gateway import run_device
from sandbox.protocol import ErrorInfo, InputResult, LayerTrace, Outcome, Status

EXPECTED = [
    ExpectedCase((4, 1, 28, 28), (4, 16, 28, 28), ((4, 16, 28, 28),), is_visible=True),
    ExpectedCase((2, 1, 20, 14), (2, 16, 20, 14), ((2, 16, 20, 14),), is_visible=False),
]


def _result(index: int, shape: tuple[int, ...] | None, error: ErrorInfo | None = None):
    trace = (LayerTrace("", "Conv2d", ((1,),), None if shape is None else (shape,)),)
    return InputResult(index=index, device="cpu", output_shape=shape, error=error, trace=trace)


def test_all_cases_and_rules_pass_for_full_marks():
    outcome = Outcome(Status.OK, results=(_result(0, (4, 16, 28, 28)), _result(1, (2, 16, 20, 14))))
    report = grade(
        expected=EXPECTED,
        outcome=outcome,
        constraint_verdicts=[ConstraintVerdict("one conv", True, "ok")],
    )
    assert (report.score, report.passed_cases, report.total_cases) == (1.0, 3, 3)
    assert report.summary == "All 3 checks passed."
    assert report.hint == ""


def test_partial_credit_per_case_with_a_catalogue_hint():
    outcome = Outcome(Status.OK, results=(_result(0, (4, 16, 28, 28)), _result(1, (2, 16, 16, 10))))
    report = grade(expected=EXPECTED, outcome=outcome)
    assert (report.score, report.passed_cases, report.total_cases) == (0.5, 1, 2)
    assert report.misconception == "ignored_padding"
    assert report.hint.startswith("Your output is 4 pixels smaller in each spatial dimension")
    assert report.cases[1]["actual_shape"] == [2, 16, 16, 10]
    assert report.diverging_layer == 0


def test_a_broken_rule_caps_the_score_even_when_every_shape_is_right():
    outcome = Outcome(Status.OK, results=(_result(0, (4, 16, 28, 28)), _result(1, (2, 16, 20, 14))))
    report = grade(
        expected=EXPECTED,
        outcome=outcome,
        constraint_verdicts=[ConstraintVerdict("exactly two Conv2d", False, "found 3")],
    )
    assert report.score == RULE_BROKEN_CAP
    assert report.summary.startswith("Every shape is right, but the code breaks a rule")


@pytest.mark.parametrize(
    "status",
    [
        Status.TIMEOUT,
        Status.MEMORY_LIMIT,
        Status.OUTPUT_LIMIT,
        Status.KILLED,
        Status.INVALID_RESULT,
    ],
)
def test_limits_and_forged_results_score_zero_with_a_plain_explanation(status):
    report = grade(expected=EXPECTED, outcome=Outcome(status, message="x"))
    assert report.score == 0.0
    assert report.sandbox_status == str(status)
    assert report.summary != ""
    assert all(case["is_passed"] is False for case in report.cases)


def test_a_build_error_is_reported_with_the_students_line():
    error = ErrorInfo("NameError", "name 'nn' is not defined", "Traceback...", line=3)
    report = grade(expected=EXPECTED, outcome=Outcome(Status.ERROR, error=error))
    assert report.score == 0.0
    assert report.summary == "Your code raised NameError at line 3 before any input ran."
    assert report.cases[0]["error"]["line"] == 3


def test_a_case_missing_from_the_results_fails_rather_than_passes():
    outcome = Outcome(Status.OK, results=(_result(0, (4, 16, 28, 28)),))
    report = grade(expected=EXPECTED, outcome=outcome)
    assert [case["is_passed"] for case in report.cases] == [True, False]


@pytest.mark.parametrize(
    ("expected", "actual", "misconception"),
    [
        ((1, 8, 16, 16), (1, 8, 14, 14), "ignored_padding"),
        ((1, 8, 16, 16), (1, 8, 32, 32), "ignored_stride"),
        ((1, 8, 16, 16), (1, 4, 16, 16), "channels_swapped"),
        ((1, 8, 16, 16), (2, 8, 16, 16), "batch_changed"),
        ((1, 8, 16, 16), (1, 8, 17, 17), "ceil_instead_of_floor"),
        ((1, 8, 10, 20), (1, 8, 20, 10), "height_width_swapped"),
    ],
)
def test_shape_diagnoses_use_the_catalogue(expected, actual, misconception):
    assert diagnose_shape(expected, actual).misconception == misconception


def test_the_first_divergence_is_where_the_sequences_stop_agreeing():
    assert first_divergence([(1, 4, 8, 8), (1, 4, 4, 4)], [(1, 4, 8, 8), (1, 4, 3, 3)]) == 1
    assert first_divergence([(1, 4, 8, 8)], [(1, 4, 8, 8)]) is None


def test_small_inputs_run_on_real_cpu_tensors_and_huge_ones_on_meta():
    assert run_device("cpu", [(4, 3, 32, 32)]) == "cpu"
    assert run_device("cpu", [(64, 3, 512, 512)]) == "meta"
    assert run_device("cuda", [(4, 3, 32, 32)]) == "cuda"
