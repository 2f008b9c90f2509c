"""Rehearsals only with CPU to spare: the pressure reading, and children that skip it still grade
right."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from sandbox import SandboxClient, SandboxConfig, Status, pressure
from sandbox.pressure import PROOF_EVERY_S, WINDOW_S, CpuPressure
from tests.sandbox.helpers import make_job

PSI_LINES = "some avg10=0.00 avg60=0.00 avg300=0.00 total={total}\nfull avg10=0.00 total=0\n"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(pressure.time, "monotonic", fake)
    return fake


def _write(path: Path, total_us: float) -> None:
    path.write_text(PSI_LINES.format(total=int(total_us)))


def test_without_psi_every_child_rehearses(tmp_path, clock):
    cpu = CpuPressure(str(tmp_path / "absent"))

    decisions = []
    for _ in range(5):
        clock.now += WINDOW_S
        decisions.append(cpu.should_rehearse())

    assert decisions == [True] * 5


def _decisions(
    path: Path, clock: FakeClock, *, stall_share: float, children: int
) -> tuple[list[bool], CpuPressure]:
    """Whether each of ``children`` forked 0.25 s apart rehearses, while some task waits for a
    CPU ``stall_share`` of the time; and the reading after the last."""
    _write(path, 0)
    cpu = CpuPressure(str(path))
    start = clock.now
    decisions = []
    for _ in range(children):
        clock.now += 0.25
        _write(path, (clock.now - start) * stall_share * 1e6)
        decisions.append(cpu.should_rehearse())
    return decisions, cpu


def test_a_host_where_tasks_wait_for_the_cpu_skips_rehearsals_but_keeps_a_proof(tmp_path, clock):
    # 10 s of children while tasks always wait for a CPU
    decisions, cpu = _decisions(tmp_path / "cpu", clock, stall_share=1.0, children=40)

    assert cpu.is_busy()
    # the first child still rehearses (nothing measured yet), then one every PROOF_EVERY_S
    rehearsed_at = [0.25 * (index + 1) for index, rehearses in enumerate(decisions) if rehearses]
    assert rehearsed_at == [0.25, 0.25 + PROOF_EVERY_S]


def test_a_host_with_idle_cores_rehearses_every_child(tmp_path, clock):
    # 30% of the time some task waits: below the busy share
    decisions, cpu = _decisions(tmp_path / "cpu", clock, stall_share=0.3, children=20)

    assert decisions == [True] * 20
    assert not cpu.is_busy()


def test_children_that_skip_the_rehearsal_run_jobs_correctly(tmp_path):
    # Given a server that reads a pressure file in which tasks always wait for the CPU
    path = tmp_path / "cpu"
    _write(path, 0)
    stop = threading.Event()
    started = time.monotonic()

    def saturate() -> None:
        while not stop.is_set():
            _write(path, (time.monotonic() - started) * 1e6)
            time.sleep(0.02)

    writer = threading.Thread(target=saturate, daemon=True)
    writer.start()
    client = SandboxClient(SandboxConfig(cpu_pressure_path=str(path), warm_up=False))
    try:
        client.info()  # the server is up: its start-up is not part of the windows below
        # when jobs run for longer than the reading window
        outcomes = []
        deadline = time.monotonic() + 3 * WINDOW_S
        while time.monotonic() < deadline or len(outcomes) < 10:
            outcomes.append(client.run(make_job("model = nn.Conv2d(3, 4, 3)\n", (2, 3, 9, 9))))
        skipped = client.info()["rehearsals_skipped"]
    finally:
        stop.set()
        writer.join()
        client.close()

    # then the server skipped rehearsals, and every job was still answered right
    assert skipped > 0
    assert {outcome.status for outcome in outcomes} == {Status.OK}
    assert {outcome.output_shapes for outcome in outcomes} == {((2, 4, 7, 7),)}
