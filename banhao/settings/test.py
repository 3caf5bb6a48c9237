"""Test settings: the embedded defaults, or PostgreSQL/Redis/Celery when DATABASE_URL etc. are set."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES

SECRET_KEY = "test-only-not-secret"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# One scratch folder per test run, shared with the Celery worker the run starts (via the
# environment), so tests can read what the worker sent.
if not os.environ.get("BANHAO_TEST_TMP"):
    os.environ["BANHAO_TEST_TMP"] = tempfile.mkdtemp(prefix="banhao-test-")
_tmp = Path(os.environ["BANHAO_TEST_TMP"])
MEDIA_ROOT = _tmp / "media"
# WhiteNoise looks for STATIC_ROOT at start-up; tests serve static files from the apps instead.
STATIC_ROOT = _tmp / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = _tmp / "mail"
BANHAO_SMS_BACKEND = "banhao.notifications.sms.FileBackend"
BANHAO_SMS_FILE_PATH = _tmp / "sms"
BANHAO_LICENCE_KEY_FILE = _tmp / "keys" / "licence-signing.pem"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # pytest-django gives each run a fresh database; WAL pragmas still apply.
    DATABASES["default"]["TEST"] = {"NAME": str(_tmp / "test.sqlite3")}

# The Celery worker started for a PostgreSQL test run survives database flushes between tests.
BANHAO_WORKER_RESETS_CACHES = True
