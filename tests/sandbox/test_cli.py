"""`python -m sandbox run|check`: the stable command line."""

from __future__ import annotations

import json
import subprocess
import sys

from sandbox import __main__ as cli
from sandbox.filesystem import PROJECT_ROOT


def test_run_prints_the_outcome_as_json_and_exits_zero_whatever_the_snippet_did(tmp_path):
    snippet = tmp_path / "broken.py"
    snippet.write_text("def build():\n    raise ValueError('nope')\n")

    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "sandbox",
            "run",
            str(snippet),
            "--input-shape",
            "1,2",
            "--entry",
            "build",
            "--json",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    outcome = json.loads(completed.stdout)
    assert outcome["status"] == "error"
    assert outcome["error"]["type"] == "ValueError"
    assert outcome["error"]["traceback"].splitlines()[-1] == "ValueError: nope"


def test_run_on_cpu_and_meta(tmp_path, sandbox_client, capsys):
    snippet = tmp_path / "conv.py"
    snippet.write_text("from torch import nn\nmodel = nn.Conv2d(3, 6, 5)\n")

    on_cpu = cli.main(["run", str(snippet), "--input-shape", "1,3,32,32", "--json"], sandbox_client)
    cpu = json.loads(capsys.readouterr().out)
    on_meta = cli.main(
        [
            "run",
            str(snippet),
            "--input-shape",
            "2,3,9,9",
            "--input-shape",
            "1,3,5,5",
            "--device",
            "meta",
            "--json",
        ],
        sandbox_client,
    )
    meta = json.loads(capsys.readouterr().out)

    assert (on_cpu, cpu["status"], cpu["results"][0]["output_shape"]) == (0, "ok", [1, 6, 28, 28])
    assert cpu["answered_on"] == ["cpu"]
    assert on_meta == 0
    assert [result["output_shape"] for result in meta["results"]] == [[2, 6, 5, 5], [1, 6, 1, 1]]
    assert meta["answered_on"] == ["meta"]


def test_human_readable_run_shows_the_trace(tmp_path, sandbox_client, capsys):
    snippet = tmp_path / "conv.py"
    snippet.write_text("from torch import nn\nmodel = nn.Conv2d(3, 6, 5)\nprint('\\x1b[2J')\n")

    code = cli.main(["run", str(snippet), "--input-shape", "1,3,8,8"], sandbox_client)

    printed = capsys.readouterr().out
    assert code == 0
    assert "input 0 [cpu]: output shape [1, 6, 4, 4]" in printed
    assert "(model) Conv2d: [[1, 3, 8, 8]] -> [[1, 6, 4, 4]]" in printed
    assert "\x1b" not in printed  # the snippet's control sequences are shown escaped


def test_run_exits_non_zero_when_the_sandbox_cannot_run(tmp_path, client_without_seccomp, capsys):
    snippet = tmp_path / "fine.py"
    snippet.write_text("from torch import nn\nmodel = nn.Identity()\n")

    code = cli.main(["run", str(snippet), "--input-shape", "1,2", "--json"], client_without_seccomp)

    outcome = json.loads(capsys.readouterr().out)
    assert code == cli.EXIT_SANDBOX_UNAVAILABLE
    assert outcome["status"] == "sandbox_unavailable"
    assert outcome["message"].startswith("seccomp:")


def test_check_reports_every_protection_available_here(sandbox_client, capsys):
    code = cli.main(["check", "--json"], sandbox_client)

    protections = json.loads(capsys.readouterr().out)["protections"]
    assert code == 0
    assert all(state["available"] for state in protections.values()), protections
    assert set(protections) >= {"seccomp", "network_namespace", "filesystem", "cgroups"}


def test_check_names_what_is_missing(client_without_seccomp, capsys):
    code = cli.main(["check"], client_without_seccomp)

    printed = capsys.readouterr().out
    assert code == 1
    assert "MISSING seccomp: simulated failure (testing hook)" in printed
    assert "ok      network_namespace" in printed
