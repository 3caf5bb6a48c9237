"""Production settings come from the environment and fail fast; the deploy check is clean."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run_manage(args, **env_overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "BANHAO_"))
    }
    env.update({"DJANGO_SETTINGS_MODULE": "banhao.settings.production", **env_overrides})
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key():
    result = run_manage(["check"], DJANGO_ALLOWED_HOSTS="banhao.example.gov.cn")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage(["check"], DJANGO_SECRET_KEY="k" * 64)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must list" in result.stderr


def test_deploy_check_passes_without_warnings(tmp_path):
    result = run_manage(
        ["check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_SECRET_KEY="x7-" + "a1B2c3D4e5F6g7H8i9J0" * 3,
        DJANGO_ALLOWED_HOSTS="banhao.example.gov.cn",
        BANHAO_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_database_connections_are_kept_on_either_database(tmp_path):
    """A request must not open its own connection: on SQLite that reruns the PRAGMAs, empties
    the page cache and, closing the last connection, checkpoints the WAL."""
    show = "from django.conf import settings; print(settings.DATABASES['default']['CONN_MAX_AGE'])"
    for extra in ({}, {"DATABASE_URL": "postgres://banhao@127.0.0.1:5432/banhao"}):
        result = run_manage(
            ["shell", "--no-imports", "--command", show],
            DJANGO_SETTINGS_MODULE="banhao.settings.embedded",
            BANHAO_VAR_DIR=str(tmp_path),
            **extra,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().splitlines()[-1] == "60", extra
