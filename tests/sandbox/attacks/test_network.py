"""Attacks over the network: the broker and the database on loopback, DNS, the internet, raw and
exotic sockets.

Redis and PostgreSQL are watched from the test process: Redis counts every connection it accepts
and sees the marker key and client name the snippet would set; PostgreSQL counts every session
per database. Neither count may move while the attack runs.
"""

from __future__ import annotations

import time

import psycopg
import pytest
import redis

from sandbox import Status
from tests.sandbox.attacks.observe import report_of

REDIS_MARKER = "stride-sandbox-attack-marker"
ATTACK_NAME = "stride-sandbox-attack"
# Answers a reachable server would have sent.
BANNERS = ("+PONG", "+OK", "-NOAUTH", "-ERR", "R\\x00\\x00\\x00", "FATAL", "SCRAM", "mysql")


@pytest.fixture(scope="module")
def redis_server() -> redis.Redis:
    server = redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2)
    try:
        server.ping()  # also opens the one pooled connection every later call reuses
    except redis.RedisError as exc:
        pytest.skip(f"no Redis on 127.0.0.1:6379 to watch from outside: {exc}")
    return server


@pytest.fixture(scope="module")
def postgres_server():
    try:
        connection = psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True, connect_timeout=2
        )
    except psycopg.Error as exc:
        pytest.skip(f"no PostgreSQL on 127.0.0.1:5432 to watch from outside: {exc}")
    yield connection
    connection.close()


def redis_connections(server: redis.Redis) -> int:
    return int(server.info("stats")["total_connections_received"])


def postgres_sessions(connection) -> int:
    connection.execute("SELECT pg_stat_clear_snapshot()")
    (sessions,) = connection.execute(
        "SELECT coalesce(sum(sessions), 0) FROM pg_stat_database"
    ).fetchone()
    return int(sessions)


def connected(report: dict) -> list[str]:
    return [target for target, result in report.items() if result.startswith("CONNECTED")]


def test_redis_on_loopback_is_unreachable(attacker, redis_server):
    redis_server.delete(REDIS_MARKER)
    before = redis_connections(redis_server)

    outcome = attacker.run("connect_redis.py")

    after = redis_connections(redis_server)
    assert outcome.status is Status.OK
    report = report_of(outcome)
    assert connected(report) == []
    assert after == before
    assert redis_server.exists(REDIS_MARKER) == 0
    names = [client.get("name") for client in redis_server.client_list()]
    assert ATTACK_NAME not in names
    assert not any(banner in outcome.stdout for banner in BANNERS)


def test_postgres_on_loopback_is_unreachable(attacker, postgres_server):
    before = postgres_sessions(postgres_server)

    outcome = attacker.run("connect_postgres.py")

    # A backend flushes its session count when its client goes away: give it that moment.
    time.sleep(0.5)
    after = postgres_sessions(postgres_server)
    assert outcome.status is Status.OK
    report = report_of(outcome)
    assert connected(report) == []
    assert after == before
    (attack_sessions,) = postgres_server.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (ATTACK_NAME,)
    ).fetchone()
    assert attack_sessions == 0
    assert not any(banner in outcome.stdout for banner in BANNERS)


def test_names_do_not_resolve(attacker):
    _, report = attacker.report("dns_lookup.py")

    for name, answer in report["getaddrinfo"].items():
        assert isinstance(answer, str), (name, answer)
        assert answer.startswith("gaierror"), (name, answer)
    assert not [server for server, answer in report["udp"].items() if answer.startswith("ANSWER")]
    assert report["resolv.conf"] == "FileNotFoundError"


def test_nothing_outside_is_reachable(attacker):
    _, report = attacker.report("outbound_connection.py")

    assert connected(report["tcp"]) == []
    assert not [target for target, sent in report["udp"].items() if sent.startswith("SENT")]
    # The only interface of the job's network namespace is its own loopback, and it is down.
    interfaces = [line.split(":")[0].strip() for line in report["proc_net_dev"].splitlines()[2:]]
    assert interfaces == ["lo"]


@pytest.mark.parametrize("snippet", ["raw_socket.py", "af_netlink_socket.py"])
def test_no_socket_family_but_unix_can_be_opened(attacker, snippet):
    _, report = attacker.report(snippet)

    opened = [name for name, result in report.items() if result == "OPENED"]
    assert opened == []
    assert set(report.values()) <= {"EAFNOSUPPORT", "EPERM", "EACCES", "EPROTONOSUPPORT"}
