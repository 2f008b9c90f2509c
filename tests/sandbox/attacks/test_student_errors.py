"""Broken or strange snippets a real student sends: each is a clean, explained grade, never a
crash of the worker or the server."""

from __future__ import annotations

from sandbox import Limits, Status
from tests.sandbox.attacks.conftest import HEALTHY_OUTPUT

MIB = 1024 * 1024


def test_a_snippet_without_the_entry_point_is_an_error(attacker):
    outcome = attacker.run("no_entry_point.py")

    assert outcome.status is Status.ERROR
    assert outcome.error is not None
    assert outcome.error.type == "EntryPointError"
    assert outcome.error.message == "the snippet does not define `model`"
    assert outcome.results == ()


def test_an_entry_point_that_builds_no_module_is_an_error(attacker):
    outcome = attacker.run("entry_not_a_module.py")

    assert outcome.status is Status.ERROR
    assert outcome.error is not None
    assert outcome.error.type == "EntryPointError"
    assert "returned Tensor" in outcome.error.message


def test_a_syntax_error_points_at_its_line(attacker):
    outcome = attacker.run("syntax_error.py")

    assert outcome.status is Status.ERROR
    assert outcome.error is not None
    assert outcome.error.type == "SyntaxError"
    assert outcome.error.line == 6
    assert outcome.results == ()


def test_a_forward_that_returns_no_tensor_is_an_error(attacker):
    outcome = attacker.run("forward_returns_non_tensor.py")

    assert outcome.status is Status.ERROR
    (result,) = outcome.results
    assert result.output_shape is None
    assert result.error is not None
    assert result.error.type == "TypeError"
    assert "forward returned dict" in result.error.message


def test_unicode_source_runs_and_its_output_round_trips(attacker):
    outcome = attacker.run("unicode_source.py")

    assert outcome.status is Status.OK
    assert outcome.output_shapes == (HEALTHY_OUTPUT,)
    assert outcome.stdout.splitlines()[0] == (
        "🔥 shapes ✓ — naïve café 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u200b\u200d\ufeff 3 8 3"
    )
    assert outcome.stdout.splitlines()[1] == "lone surrogate: \\udcff"
    layers = [(layer.name, layer.type) for layer in outcome.results[0].trace]
    assert layers == [("", "Modèle"), ("свёртка", "Conv2d")]


def test_multi_megabyte_source_runs(attacker):
    """8 MiB of comments and a 2 MiB line of data before an ordinary model."""
    filler = "".join(f"# padding line {number:08d} {'x' * 80}\n" for number in range(90_000))
    data = "DATA = '" + "0123456789abcdef" * (128 * 1024) + "'\n"
    code = filler + data + "from torch import nn\nmodel = nn.Conv2d(3, 8, 3)\n"
    assert len(code.encode()) > 8 * MIB

    outcome = attacker.run(code=code, limits=Limits(wall_time_s=30.0, cpu_time_s=30))

    assert outcome.status is Status.OK, outcome.message
    assert outcome.output_shapes == (HEALTHY_OUTPUT,)
