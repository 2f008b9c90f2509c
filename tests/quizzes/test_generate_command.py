"""The stable ``manage.py generate`` interface."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from quizzes.generators import family_names

ROOT = Path(__file__).resolve().parents[2]


def _generate(*arguments: str) -> list[dict]:
    completed = subprocess.run(
        [sys.executable, "manage.py", "generate", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return [json.loads(line) for line in completed.stdout.splitlines()]


def test_generate_prints_one_json_object_per_line_with_the_stable_fields():
    lines = _generate(
        "conv_output", "--seed", "10", "--count", "3", "--difficulty", "hard", "--json"
    )
    assert [line["seed"] for line in lines] == [10, 11, 12]
    for line in lines:
        assert {"family", "seed", "difficulty", "params", "prompt", "answer", "choices"} <= set(
            line
        )
        assert line["family"] == "conv_output"
        assert line["difficulty"] == "hard"


def test_generate_is_deterministic_across_processes():
    assert _generate("conv_output", "--seed", "5", "--json") == _generate(
        "conv_output", "--seed", "5", "--json"
    )


def test_help_lists_every_family():
    completed = subprocess.run(
        [sys.executable, "manage.py", "generate", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    for family in family_names():
        assert family in completed.stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["nope", "--seed", "1"], "Unknown family 'nope'"),
        (["conv_output", "--seed", "1", "--config", "{bad"], "--config is not valid JSON"),
        (["conv_output", "--seed", "1", "--config", '{"zzz": [1, 2]}'], "unknown parameter 'zzz'"),
        (["conv_output", "--seed", "1", "--count", "0"], "--count must be between"),
    ],
)
def test_bad_arguments_get_a_clear_error(arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate", *arguments)
