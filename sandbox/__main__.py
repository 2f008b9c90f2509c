"""Command line for instructors and operators (a stable interface).

    python -m sandbox run SNIPPET.py --input-shape 1,3,32,32 [--input-shape ...]
                          [--device cpu|meta] [--entry model] [--json]
    python -m sandbox check [--json]

`run` exits 0 whatever the snippet did; non-zero only when the sandbox itself could not run
(status sandbox_unavailable: exit 3). `check` exits 0 when every protection is available.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sandbox.client import SandboxClient
from sandbox.config import SandboxConfig
from sandbox.protocol import DTYPES, MIB, InputSpec, Job, Limits, Outcome, Status

EXIT_SANDBOX_UNAVAILABLE = 3
EXIT_USAGE = 2


def _shape(text: str) -> tuple[int, ...]:
    try:
        shape = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a shape: {text!r} (use e.g. 1,3,32,32)") from None
    if not shape or any(size < 0 for size in shape):
        raise argparse.ArgumentTypeError(f"not a shape: {text!r}")
    return shape


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run a snippet and print its Outcome")
    run.add_argument("snippet", type=Path)
    run.add_argument("--input-shape", type=_shape, action="append", required=True)
    run.add_argument("--dtype", choices=DTYPES, default="float32")
    run.add_argument("--device", choices=("cpu", "meta", "cuda"), default="cpu")
    run.add_argument("--entry", default="model")
    run.add_argument("--seed", type=int)
    run.add_argument("--wall-time", type=float, default=Limits.wall_time_s)
    run.add_argument("--cpu-time", type=int, default=Limits.cpu_time_s)
    run.add_argument("--memory-mb", type=int, default=Limits.memory_bytes // MIB)
    run.add_argument("--json", action="store_true", help="print the Outcome as JSON")
    check = commands.add_parser("check", help="report which protections this host supports")
    check.add_argument("--json", action="store_true")
    return parser


def _print_outcome(outcome: Outcome) -> None:
    print(f"status: {outcome.status.value}" + (f" ({outcome.message})" if outcome.message else ""))
    if outcome.error is not None:
        print(outcome.error.traceback, end="")
    for result in outcome.results:
        if result.error is None:
            print(
                f"input {result.index} [{result.device}]: output shape {list(result.output_shape)}"
            )
        else:
            print(f"input {result.index} [{result.device}]: {result.error.type}")
            print(result.error.traceback, end="")
        for layer in result.trace:
            outputs = (
                "raised" if layer.output_shapes is None else [list(s) for s in layer.output_shapes]
            )
            inputs = [list(s) for s in layer.input_shapes]
            print(f"    {layer.name or '(model)'} {layer.type}: {inputs} -> {outputs}")
    print(
        f"wall {outcome.wall_time_s:.3f} s, cpu {outcome.cpu_time_s:.3f} s, "
        f"peak memory {outcome.peak_memory_bytes} bytes, seed {outcome.seed}"
    )
    for name, text in (("stdout", outcome.stdout), ("stderr", outcome.stderr)):
        if text:
            # repr: the snippet's output may hold terminal control sequences.
            print(f"--- {name} ---\n{text!r}")


def _run(arguments: argparse.Namespace, client: SandboxClient) -> int:
    try:
        code = arguments.snippet.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"cannot read {arguments.snippet}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    job = Job(
        code=code,
        inputs=tuple(InputSpec(shape, arguments.dtype) for shape in arguments.input_shape),
        entry=arguments.entry,
        device=arguments.device,
        seed=arguments.seed,
        filename=arguments.snippet.name or "snippet.py",
        limits=Limits(
            wall_time_s=arguments.wall_time,
            cpu_time_s=arguments.cpu_time,
            memory_bytes=arguments.memory_mb * MIB,
        ),
    )
    outcome = client.run(job)
    if arguments.json:
        print(outcome.to_json(indent=2))
    else:
        _print_outcome(outcome)
    return EXIT_SANDBOX_UNAVAILABLE if outcome.status is Status.SANDBOX_UNAVAILABLE else 0


def _check(arguments: argparse.Namespace, client: SandboxClient) -> int:
    report = client.check()
    if arguments.json:
        print(json.dumps(report, indent=2))
    else:
        for name, state in report["protections"].items():
            mark = "ok     " if state["available"] else "MISSING"
            print(f"{mark} {name}" + (f": {state['detail']}" if state["detail"] else ""))
    return 0 if all(state["available"] for state in report["protections"].values()) else 1


def main(argv: list[str] | None = None, client: SandboxClient | None = None) -> int:
    """Run the command line; `client` reuses a running sandbox instead of starting one."""
    arguments = _parser().parse_args(argv)
    if client is None:
        with SandboxClient(SandboxConfig.from_environment()) as own_client:
            return _dispatch(arguments, own_client)
    return _dispatch(arguments, client)


def _dispatch(arguments: argparse.Namespace, client: SandboxClient) -> int:
    if arguments.command == "run":
        return _run(arguments, client)
    return _check(arguments, client)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        # Output piped into `head` and the like: the reader left, nothing is wrong.
        sys.stderr.close()
        sys.exit(0)
