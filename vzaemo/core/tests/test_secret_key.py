"""No server runs on a public or missing SECRET_KEY; the demo makes and keeps its own; `check --deploy` names it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from vzaemo.core.checks import PUBLIC_SECRET_KEYS, check_secret_key
from vzaemo.settings import kept_secret_key

PUBLISHED = next(iter(PUBLIC_SECRET_KEYS))


def _python(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "VZAEMO_DEMO"}}
    clean = {k: v for k, v in clean.items() if not k.startswith(("PYTEST_", "SQLITE_TEST_"))}
    return subprocess.run(  # our own interpreter and code
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "vzaemo.settings", "VZAEMO_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,  # the tests read the exit code
    )


@pytest.mark.parametrize(
    ("entry_point", "key"), [("vzaemo.wsgi", None), ("vzaemo.wsgi", PUBLISHED), ("vzaemo.asgi", None)]
)
def test_with_debug_off_the_servers_refuse_to_start_without_a_private_key(
    tmp_path: Path, entry_point: str, key: str | None
) -> None:
    result = _python(f"import {entry_point}", tmp_path, **({"SECRET_KEY": key} if key else {}))
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is" in result.stderr
    # Nothing was made in its place.
    assert not (tmp_path / "keys" / "secret_key").exists()


def test_runplatform_refuses_before_it_starts_any_process(tmp_path: Path) -> None:
    code = "import sys; from django.core.management import execute_from_command_line as r; r(['m', 'runplatform'])"
    result = _python(code, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "pid" not in result.stdout


def test_the_demo_makes_its_own_key_on_first_run_and_keeps_it(tmp_path: Path) -> None:
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = _python(code, tmp_path, VZAEMO_DEMO="1")
    second = _python(code, tmp_path, VZAEMO_DEMO="1")
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert key == second.stdout.strip()
    assert len(key) >= 50
    assert key not in PUBLIC_SECRET_KEYS
    kept = tmp_path / "keys" / "secret_key"
    assert kept.read_text() == key
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    # Another installation gets another key.
    assert _python(code, tmp_path / "other", VZAEMO_DEMO="1").stdout.strip() != key


def test_a_kept_key_is_made_once(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "secret_key"
    assert kept_secret_key(path) == kept_secret_key(path) == path.read_text()
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]


def test_check_deploy_flags_a_published_or_missing_key() -> None:
    with override_settings(SECRET_KEY=PUBLISHED):
        assert [m.id for m in check_secret_key()] == ["vzaemo.E001"]
        with pytest.raises(SystemCheckError, match=r"vzaemo\.E001"):
            call_command("check", deploy=True)
    with override_settings(SECRET_KEY=""):
        assert [m.id for m in check_secret_key()] == ["vzaemo.E001"]
    assert check_secret_key() == []
