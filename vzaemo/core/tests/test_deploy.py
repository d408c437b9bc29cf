"""The production deployment in deploy/ is what the tests run: `check --deploy` is clean with its environment file,
a missing secret key stops it, and the systemd units start exactly the processes runplatform starts and restart
them alone (the nginx site: test_deploy_nginx.py)."""

from __future__ import annotations

import os
import secrets
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from vzaemo.core.checks import check_proxy_settings
from vzaemo.core.management.commands.runplatform import SSE_CONNECTIONS, Command

DEPLOY = Path(settings.BASE_DIR) / "deploy"
INSTALLED_AT = "/opt/vzaemo"
# runplatform's process names and the units that run the same processes in production.
UNITS = {
    "wsgi": "vzaemo-wsgi.service",
    "asgi": "vzaemo-sse.service",
    "asgi-2": "vzaemo-sse-2.service",
    "worker": "vzaemo-worker.service",
    "chrono": "vzaemo-chronograph.service",
}
HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "CapabilityBoundingSet": "",
    "RestrictSUIDSGID": "yes",
}


def production_env() -> dict[str, str]:
    """deploy/vzaemo.env as systemd reads it (KEY=VALUE lines), with a real secret key."""
    env: dict[str, str] = {}
    for line in (DEPLOY / "vzaemo.env").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            env[name.strip()] = value.strip()
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    return env


def run(argv: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    # Only what a production process has: the environment file, a PATH, and a state directory of the test's own.
    base = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "vzaemo.settings"}
    return subprocess.run(  # our own interpreter and code
        [sys.executable, *argv],
        cwd=settings.BASE_DIR,
        env={**base, **env, "VZAEMO_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,  # the tests read the exit code
    )


def test_check_deploy_is_clean_with_the_production_environment(tmp_path: Path) -> None:
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(), tmp_path)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_the_https_lines_check_deploy_names_each_of_them(tmp_path: Path) -> None:
    https = {"SECURE_SSL_REDIRECT", "SECURE_COOKIES", "SECURE_HSTS_SECONDS", "SECURE_PROXY_SSL_HEADER"}
    env = {name: value for name, value in production_env().items() if name not in https}
    result = run(["manage.py", "check", "--deploy"], env, tmp_path)
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


def test_the_production_environment_without_a_secret_key_does_not_start(tmp_path: Path) -> None:
    env = {name: value for name, value in production_env().items() if name != "SECRET_KEY"}
    result = run(["-c", "import vzaemo.wsgi"], env, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr


def test_the_static_files_are_collected_with_hashed_names_and_the_pages_link_those(tmp_path: Path) -> None:
    env = production_env()
    collected = run(["manage.py", "collectstatic", "--noinput", "-v", "0"], env, tmp_path)
    assert collected.returncode == 0, collected.stderr
    hashed = sorted(path.name for path in (tmp_path / "static" / "web").glob("site.*.css"))
    assert len(hashed) == 1
    assert (tmp_path / "static" / "web" / f"{hashed[0]}.gz").exists()  # for nginx's gzip_static
    code = (
        "import django; django.setup(); from django.template.loader import render_to_string as r; print(r('503.html'))"
    )
    page = run(["-c", code], env, tmp_path)
    assert page.returncode == 0, page.stderr
    assert f'href="/static/web/{hashed[0]}"' in page.stdout


def test_a_proxy_ssl_header_without_a_trusted_proxy_is_an_error() -> None:
    with override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"), TRUSTED_PROXIES=[]):
        assert [m.id for m in check_proxy_settings()] == ["vzaemo.E002"]
    with override_settings(SECURE_SSL_REDIRECT=True, TRUSTED_PROXIES=["127.0.0.1/32"], SECURE_PROXY_SSL_HEADER=None):
        assert [m.id for m in check_proxy_settings()] == ["vzaemo.E003"]
    with override_settings(
        SECURE_SSL_REDIRECT=True,
        TRUSTED_PROXIES=["127.0.0.1/32"],
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    ):
        assert check_proxy_settings() == []


# --- systemd ---------------------------------------------------------------------------------------------------


def unit(name: str) -> dict[str, list[str]]:
    """A unit file's `Key=value` lines by key (a key may repeat), sections flattened."""
    values: dict[str, list[str]] = {}
    for line in (DEPLOY / "systemd" / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            values.setdefault(key, []).append(value)
    return values


def installed(argv: list[str]) -> list[str]:
    """runplatform's argv as it reads on the production machine: the venv's python, the code in /opt/vzaemo."""
    return [
        f"{INSTALLED_AT}/.venv/bin/python",
        *(arg.replace(str(settings.BASE_DIR), INSTALLED_AT) for arg in argv[1:]),
    ]


def test_every_process_runplatform_starts_has_a_unit_that_runs_it_the_same_way() -> None:
    options: dict[str, Any] = {
        "wsgi_backpressure": None,
        "access_log": False,
        "sse_connections": SSE_CONNECTIONS,
        "asgi_processes": 2,
        "no_worker": False,
        "no_chronograph": False,
    }
    children = Command()._children("127.0.0.1", 8000, 2, 8, options)
    assert {child.name for child in children} == set(UNITS)
    for child in children:
        values = unit(UNITS[child.name])
        (exec_start,) = values["ExecStart"]
        assert shlex.split(exec_start) == installed(child.argv), child.name


@pytest.mark.parametrize("name", UNITS.values())
def test_each_unit_restarts_its_process_alone_for_ever_and_is_locked_down(name: str) -> None:
    values = unit(name)
    assert values["Restart"] == ["always"]
    assert float(values["RestartSec"][0]) > 0
    assert values["StartLimitIntervalSec"] == ["0"]
    assert values["EnvironmentFile"] == ["/etc/vzaemo/vzaemo.env"]
    assert values["User"] == ["vzaemo"]
    assert values["PartOf"] == ["vzaemo.target"]
    for key, value in HARDENING.items():
        assert values[key] == [value], key
    assert name in unit("vzaemo.target")["Wants"][0].split()


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    # With the code where it is here, so the executables the units name exist.
    for path in (DEPLOY / "systemd").iterdir():
        (tmp_path / path.name).write_text(path.read_text().replace(INSTALLED_AT, str(settings.BASE_DIR)))
    result = subprocess.run(  # a system tool on our own files
        ["systemd-analyze", "verify", "--man=no", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # systemd ignores a line it cannot parse with a warning and still exits 0: any output is a problem.
    assert (result.returncode, result.stdout + result.stderr) == (0, "")
