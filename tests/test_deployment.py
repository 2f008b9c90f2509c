"""docker-compose.yml and production settings, validated without a Docker engine."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _compose(*arguments: str, secret: bool = True) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    if secret:
        environment["SECRET_KEY"] = "test-secret"
    return subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def compose_config() -> dict:
    if shutil.which("docker-compose") is None:
        pytest.fail("docker-compose is not installed: run `bash scripts/system_packages.sh`")
    completed = _compose("config")
    assert completed.returncode == 0, completed.stderr
    return yaml.safe_load(completed.stdout)


def test_compose_file_is_valid_and_has_every_service(compose_config):
    assert set(compose_config["services"]) == {
        "postgres",
        "redis",
        "migrate",
        "web",
        "worker-cpu",
        "worker-gpu",
    }


def test_workers_listen_on_their_own_queues(compose_config):
    services = compose_config["services"]
    assert "-Q cpu" in str(services["worker-cpu"]["command"])
    assert "-Q gpu" in str(services["worker-gpu"]["command"])
    devices = services["worker-gpu"]["deploy"]["resources"]["reservations"]["devices"]
    assert devices[0]["driver"] == "nvidia"
    assert devices[0]["capabilities"] == ["gpu"]


def test_every_long_running_service_has_a_healthcheck_and_state_has_volumes(compose_config):
    services = compose_config["services"]
    for name in ("postgres", "redis", "web", "worker-cpu", "worker-gpu"):
        assert "healthcheck" in services[name], name
    assert set(compose_config["volumes"]) == {"postgres-data", "redis-data"}


def test_compose_refuses_to_start_without_a_secret_key():
    completed = _compose("config", secret=False)
    assert completed.returncode != 0
    assert "set SECRET_KEY" in completed.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"])
def test_production_settings_fail_loudly_without_a_required_variable(missing):
    environment = {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": "x" * 50,
        "DATABASE_URL": "postgres://stride@127.0.0.1:5432/stride",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "ALLOWED_HOSTS": "stride.example.edu",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
    }
    del environment[missing]
    completed = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode != 0
    assert f"{missing} must be set in production" in completed.stderr


def test_production_refuses_the_unsafe_sandbox_flag():
    environment = {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": "x" * 50,
        "DATABASE_URL": "postgres://stride@127.0.0.1:5432/stride",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "ALLOWED_HOSTS": "stride.example.edu",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "STRIDE_SANDBOX_ALLOW_UNSAFE": "1",
    }
    completed = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode != 0
    assert "STRIDE_SANDBOX_ALLOW_UNSAFE is a development flag" in completed.stderr
