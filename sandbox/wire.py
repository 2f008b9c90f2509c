"""Messages between the client and the fork-server: one JSON object per SOCK_SEQPACKET datagram,
with file descriptors attached as SCM_RIGHTS. Both ends are trusted code; the job's data never
travels here (it goes straight from the client to the child over the child's own pipe).
"""

from __future__ import annotations

import array
import contextlib
import json
import os
import socket
from typing import Any

MAX_MESSAGE_BYTES = 256 * 1024
MAX_FDS = 8


class ConnectionClosed(Exception):
    """The other end of the control socket is gone."""


def send(sock: socket.socket, message: dict[str, Any], fds: list[int] | None = None) -> None:
    data = json.dumps(message).encode()
    if len(data) > MAX_MESSAGE_BYTES:
        raise ValueError("control message too large")
    ancillary = []
    if fds:
        ancillary = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds).tobytes())]
    try:
        sock.sendmsg([data], ancillary)
    except (BrokenPipeError, ConnectionResetError) as exc:
        raise ConnectionClosed(str(exc)) from None


def receive(sock: socket.socket) -> tuple[dict[str, Any], list[int]]:
    """Block for one message. Received descriptors are close-on-exec from the start, so a worker
    that spawns other programs concurrently never leaks a child's pipe into them."""
    fd_space = socket.CMSG_SPACE(MAX_FDS * array.array("i").itemsize)
    try:
        data, ancillary, flags, _ = sock.recvmsg(
            MAX_MESSAGE_BYTES, fd_space, socket.MSG_CMSG_CLOEXEC
        )
    except (ConnectionResetError, OSError) as exc:
        raise ConnectionClosed(str(exc)) from None
    fds: list[int] = []
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            descriptors = array.array("i")
            descriptors.frombytes(payload[: len(payload) - len(payload) % descriptors.itemsize])
            fds.extend(descriptors)
    if not data:
        for fd in fds:
            _close(fd)
        raise ConnectionClosed("end of stream")
    if flags & (socket.MSG_TRUNC | socket.MSG_CTRUNC):
        for fd in fds:
            _close(fd)
        raise ValueError("control message truncated")
    return json.loads(data), fds


def _close(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)
