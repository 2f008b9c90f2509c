"""The data model and the schema check of what a child sends back (no sandbox needed)."""

from __future__ import annotations

import json

import pytest

from sandbox import InputSpec, Job, Limits, Outcome, Status
from sandbox.protocol import ErrorInfo, InputResult, LayerTrace
from sandbox.seccomp import build_filter
from sandbox.validation import MAX_RESULT_BYTES, InvalidResult, parse_child_result


def _result(**overrides: object) -> dict:
    item = {
        "index": 0,
        "device": "cpu",
        "output_shape": [1, 4, 6, 6],
        "output_dtype": "float32",
        "error": None,
        "trace": [
            {
                "name": "",
                "type": "Conv2d",
                "input_shapes": [[1, 3, 8, 8]],
                "output_shapes": [[1, 4, 6, 6]],
            }
        ],
        "trace_truncated": False,
        "parameter_count": 112,
    }
    item.update(overrides)
    return {
        "build_error": None,
        "results": [item],
        "usage": {"cpu_time_s": 0.01, "peak_memory_bytes": 4096},
    }


def _raw(data: object) -> bytes:
    return json.dumps(data).encode()


def test_status_values_are_exactly_the_documented_ones():
    assert [status.value for status in Status] == [
        "ok",
        "error",
        "timeout",
        "memory_limit",
        "output_limit",
        "killed",
        "invalid_result",
        "sandbox_unavailable",
    ]


def test_job_round_trips_through_a_dict():
    job = Job(
        code="model = None",
        inputs=(InputSpec((1, 3, 32, 32)), InputSpec((2, 4), "int64", [[1, 2, 3, 4]] * 2)),
        entry="build",
        device="meta",
        limits=Limits(wall_time_s=3.0, cpu_time_s=2),
        seed=7,
    )

    assert Job.from_dict(json.loads(json.dumps(job.to_dict()))) == job


@pytest.mark.parametrize(
    ("options", "complaint"),
    [
        ({"device": "tpu"}, "device"),
        ({"entry": "not an identifier"}, "identifier"),
        ({"inputs": ()}, "at least one input"),
        ({"filename": "../etc/passwd"}, "bare name"),
    ],
)
def test_job_rejects_malformed_requests(options, complaint):
    arguments = {"code": "", "inputs": (InputSpec((1,)),), **options}

    with pytest.raises(ValueError, match=complaint):
        Job(**arguments)


def test_outcome_round_trips_through_json():
    outcome = Outcome(
        status=Status.ERROR,
        message="boom",
        results=(
            InputResult(
                index=0,
                device="cpu",
                error=ErrorInfo("RuntimeError", "boom", "Traceback ...", 3),
                trace=(LayerTrace("conv", "Conv2d", ((1, 3, 8, 8),), None),),
            ),
        ),
        stdout="\x1b[2J",
        seed=5,
    )

    encoded = outcome.to_json()

    assert "\x1b" not in encoded  # control bytes the snippet printed stay escaped
    assert Outcome.from_dict(json.loads(encoded)) == outcome


def test_a_well_formed_result_is_parsed():
    report = parse_child_result(_raw(_result()), input_count=1, device="cpu")

    assert report.build_error is None
    assert report.results[0].output_shape == (1, 4, 6, 6)
    assert report.results[0].trace[0] == LayerTrace("", "Conv2d", ((1, 3, 8, 8),), ((1, 4, 6, 6),))
    assert report.results[0].parameter_count == 112
    assert (report.cpu_time_s, report.peak_memory_bytes) == (0.01, 4096)


def test_a_meta_job_may_be_answered_on_cpu_but_not_the_reverse():
    report = parse_child_result(_raw(_result()), input_count=1, device="meta")

    assert report.results[0].device == "cpu"
    with pytest.raises(InvalidResult, match="does not match"):
        parse_child_result(_raw(_result(device="meta")), input_count=1, device="cpu")


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b"\xff\xfe",
        b"[" * 100_000 + b"]" * 100_000,
        _raw({**_result(), "results": []}),  # no result for the one input
        _raw({"build_error": None, "results": _result()["results"]}),  # no usage
        _raw({**_result(), "usage": {"cpu_time_s": float("nan"), "peak_memory_bytes": 0}}),
        _raw({**_result(), "extra": 1}),
        _raw(_result(index=1)),
        _raw(_result(output_shape=[True, 2])),
        _raw(_result(output_shape=[-1])),
        _raw(_result(output_shape=[1.5])),
        _raw(_result(output_shape=None)),  # neither a shape nor an error
        _raw(_result(trace_truncated="no")),
        _raw(_result(parameter_count=-3)),
        _raw(_result(error={"type": "E", "message": "m", "traceback": "t", "line": None})),
        _raw(_result(trace=[{"name": "x"}])),
        _raw(
            _result(
                trace=[
                    {"name": "x" * 10_000, "type": "T", "input_shapes": [], "output_shapes": None}
                ]
            )
        ),
        _raw(_result(output_dtype="x" * 100)),
        _raw(_result()) + _raw(_result()),  # a forged result followed by the real one
    ],
)
def test_malformed_or_forged_results_are_invalid(raw):
    with pytest.raises(InvalidResult):
        parse_child_result(raw, input_count=1, device="cpu")


def test_an_oversized_result_is_invalid_before_parsing():
    raw = b" " * (MAX_RESULT_BYTES + 1)

    with pytest.raises(InvalidResult, match="larger than"):
        parse_child_result(raw, input_count=1, device="cpu")


def test_the_seccomp_filter_assembles_into_whole_instructions():
    program = build_filter()

    assert len(program) % 8 == 0
    assert 40 < len(program) // 8 < 4096  # BPF's own limit is 4096 instructions
