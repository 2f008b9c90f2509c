"""Two students' jobs running at the same time must not be able to talk to each other.

Each channel is a sender and a receiver snippet started together (the pool holds two ready
children; the machine has two cores). The sender signals for 2.5 s through a resource two
processes on one host normally share; the receiver watches for 2.5 s and reports what it saw.
"""

from __future__ import annotations

import pytest

from sandbox import Limits, Status
from tests.sandbox.attacks.observe import report_of

PAIR = Limits(wall_time_s=10.0, cpu_time_s=10)
SIGNAL_S = 2.5


def assert_sender_tried(channel: str, report: dict) -> None:
    """The receiver's silence must be isolation, not a sender that never sent: where the sender
    could act (in its own /tmp, /dev/shm, ipc and network namespaces) it did; where the kernel
    refused it (locks, keyrings), it was refused."""
    if channel == "flock":
        assert len(report) == 12
        assert set(report.values()) == {"EPERM"}
    elif channel == "keyctl":
        assert set(map(tuple, report.values())) == {(-1, "EPERM")}
    elif channel == "abstract_socket":
        assert report == {"bind": "OK", "served": 0}
    elif channel == "dev_shm":
        assert report == {
            "/dev/shm/stride-covert": "WRITTEN",
            "/tmp/stride-covert": "WRITTEN",
            "segment": "CREATED",
        }
    elif channel == "sysv_ipc":
        assert report["shmget"][0] >= 0
        assert report["msgget"][0] >= 0
        assert report["semget"][0] >= 0
    else:  # inotify, dnotify: the sender only reads a shared file
        assert report["opened"] > 10


@pytest.mark.parametrize(
    "channel",
    [
        "flock",
        "keyctl",
        "abstract_socket",
        "dev_shm",
        "sysv_ipc",
        "inotify",
        "dnotify",
    ],
)
def test_concurrent_jobs_cannot_communicate(attacker, channel):
    sender, receiver = attacker.run_concurrently(
        f"{channel}_covert_channel_sender.py", f"{channel}_covert_channel_receiver.py", limits=PAIR
    )

    assert sender.status is Status.OK, (sender.message, sender.stderr[-500:])
    assert receiver.status is Status.OK, (receiver.message, receiver.stderr[-500:])
    # The two jobs really overlapped: together they took less than one after the other.
    total = max(attacker.elapsed[-2:])
    assert sender.wall_time_s >= SIGNAL_S
    assert receiver.wall_time_s >= SIGNAL_S
    assert total < sender.wall_time_s + receiver.wall_time_s
    assert_sender_tried(channel, report_of(sender))
    report = report_of(receiver)
    assert report["received"] is False, report["observations"]
    # The watch channels are closed by the seccomp filter itself, not by luck.
    if channel == "inotify":
        assert report["observations"]["inotify_init1"] == "EPERM"
    if channel == "dnotify":
        assert report["observations"]["f_notify"] == "EPERM"
    assert not [
        name for name, seen in report["observations"].items() if str(seen).startswith("RECEIVED")
    ]


@pytest.mark.parametrize("channel", ["inotify", "dnotify"])
def test_a_watcher_alone_hears_nothing(attacker, channel):
    """The control for the two watch channels: without a sender next to it, the receiver sees no
    event at all, so whatever it sees with one comes from the other job."""
    outcome = attacker.run(f"{channel}_covert_channel_receiver.py", limits=PAIR)

    report = report_of(outcome)
    assert report["received"] is False
    assert report["observations"]["events"] == 0
