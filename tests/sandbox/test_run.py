"""The Python API on cpu and meta: shapes, traces, fallback, errors, output, seeds."""

from __future__ import annotations

from sandbox import InputSpec, Job, LayerTrace, Status
from tests.sandbox.helpers import make_job

CONV_STACK = """
model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
"""


def test_cpu_job_reports_output_shape_and_layer_trace(sandbox_client):
    outcome = sandbox_client.run(make_job(CONV_STACK, (2, 3, 16, 16), (1, 3, 9, 9)))

    assert outcome.status is Status.OK, outcome.message
    assert outcome.output_shapes == ((2, 8, 8, 8), (1, 8, 4, 4))
    assert outcome.answered_on == ("cpu",)
    assert outcome.results[0].trace == (
        LayerTrace("", "Sequential", ((2, 3, 16, 16),), ((2, 8, 8, 8),)),
        LayerTrace("0", "Conv2d", ((2, 3, 16, 16),), ((2, 8, 16, 16),)),
        LayerTrace("1", "ReLU", ((2, 8, 16, 16),), ((2, 8, 16, 16),)),
        LayerTrace("2", "MaxPool2d", ((2, 8, 16, 16),), ((2, 8, 8, 8),)),
    )
    assert outcome.results[0].parameter_count == 8 * 3 * 3 * 3 + 8
    assert outcome.results[0].output_dtype == "float32"
    assert outcome.wall_time_s > 0
    assert outcome.cpu_time_s > 0
    assert outcome.peak_memory_bytes > 0


def test_meta_job_answers_huge_inputs_without_allocating_them(sandbox_client):
    job = make_job("model = nn.Conv2d(3, 4, 3, stride=2)\n", (10_000, 3, 1024, 1024), device="meta")

    outcome = sandbox_client.run(job)

    assert outcome.status is Status.OK, outcome.message
    assert outcome.output_shapes == ((10_000, 4, 511, 511),)
    assert outcome.answered_on == ("meta",)


def test_meta_job_falls_back_to_cpu_for_data_dependent_ops(sandbox_client):
    code = """
class Positive(nn.Module):
    def forward(self, x):
        count = int((x > 0).sum().item())
        return x[x > 0].reshape(count)

model = Positive()
"""
    job = Job(
        code="import torch\nfrom torch import nn\n" + code,
        inputs=(InputSpec((2, 3), values=[[1.0, -1.0, 2.0], [-3.0, 4.0, 5.0]]),),
        device="meta",
    )

    outcome = sandbox_client.run(job)

    assert outcome.status is Status.OK, outcome.message
    assert outcome.output_shapes == ((4,),)
    assert outcome.answered_on == ("cpu",)
    assert outcome.device == "meta"


def test_entry_may_be_a_function_that_builds_the_module(sandbox_client):
    job = make_job("def build():\n    return nn.Linear(4, 2)\n", (5, 4), entry="build")

    outcome = sandbox_client.run(job)

    assert outcome.status is Status.OK, outcome.message
    assert outcome.output_shapes == ((5, 2),)


def test_missing_entry_point_is_a_build_error(sandbox_client):
    outcome = sandbox_client.run(make_job("net = nn.Identity()\n"))

    assert outcome.status is Status.ERROR
    assert outcome.error.type == "EntryPointError"
    assert outcome.error.message == "the snippet does not define `model`"
    assert outcome.results == ()


def test_syntax_error_points_at_the_students_line(sandbox_client):
    outcome = sandbox_client.run(make_job("def build(:\n    pass\n", filename="solution.py"))

    assert outcome.status is Status.ERROR
    assert outcome.error.type == "SyntaxError"
    assert outcome.error.line == 3
    assert outcome.error.traceback.startswith('  File "solution.py", line 3')


def test_traceback_is_trimmed_to_the_students_own_lines(sandbox_client):
    code = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 8, 3)

    def forward(self, x):
        return self.conv(x)

model = Net()
"""
    outcome = sandbox_client.run(make_job(code, (1, 3, 8, 8)))

    error = outcome.results[0].error
    assert outcome.status is Status.ERROR
    assert error.type == "RuntimeError"
    assert "expected input[1, 3, 8, 8] to have 4 channels" in error.message
    assert error.line == 10
    assert error.traceback.splitlines()[:3] == [
        "Traceback (most recent call last):",
        '  File "snippet.py", line 10, in forward',
        "    return self.conv(x)",
    ]
    assert "site-packages" not in error.traceback
    assert "sandbox" not in error.traceback
    assert outcome.results[0].trace[-1].output_shapes is None  # the layer that raised


def test_forward_returning_a_non_tensor_is_an_error(sandbox_client):
    code = """
class Pair(nn.Module):
    def forward(self, x):
        return x, x

model = Pair()
"""
    outcome = sandbox_client.run(make_job(code))

    assert outcome.status is Status.ERROR
    assert outcome.results[0].error.message == "forward returned tuple, expected a single tensor"


def test_stdout_and_stderr_are_captured(sandbox_client):
    code = "import sys\nprint('hello')\nprint('warning', file=sys.stderr)\nmodel = nn.Identity()\n"

    outcome = sandbox_client.run(make_job(code))

    assert outcome.status is Status.OK
    assert outcome.stdout == "hello\n"
    assert outcome.stderr == "warning\n"


def test_every_job_gets_fresh_random_state(sandbox_client):
    code = """
import random
import numpy
print(random.random(), numpy.random.rand(), torch.rand(1).item())
model = nn.Identity()
"""
    first = sandbox_client.run(make_job(code))
    second = sandbox_client.run(make_job(code))
    seeded = [sandbox_client.run(make_job(code, seed=1234)) for _ in range(2)]

    assert first.seed != second.seed
    assert first.stdout.split() != second.stdout.split()
    assert all(a != b for a, b in zip(first.stdout.split(), second.stdout.split(), strict=True))
    assert seeded[0].stdout == seeded[1].stdout
    assert seeded[0].seed == 1234


def test_cuda_job_on_a_worker_without_a_gpu_is_refused_not_blamed_on_the_student(sandbox_client):
    outcome = sandbox_client.run(make_job("model = nn.Identity()\n", device="cuda"))

    assert outcome.status is Status.SANDBOX_UNAVAILABLE
    assert outcome.message == "this worker has no CUDA device for a cuda job"
