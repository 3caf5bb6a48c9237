"""Embedded default: SQLite, in-process jobs, files under var/. No server to install."""

import secrets

from .base import *  # noqa: F403
from .base import VAR_DIR, env, env_bool, env_list

VAR_DIR.mkdir(parents=True, exist_ok=True)


def _local_secret_key() -> str:
    # A per-installation key kept beside the database, so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env("DJANGO_SECRET_KEY") or _local_secret_key()
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
