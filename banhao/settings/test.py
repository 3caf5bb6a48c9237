"""Test settings: the embedded defaults, or PostgreSQL/Redis/Celery when DATABASE_URL etc. are set."""

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
_tmp = Path(tempfile.mkdtemp(prefix="banhao-test-"))
MEDIA_ROOT = _tmp / "media"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
BANHAO_SMS_BACKEND = "banhao.notifications.sms.MemoryBackend"
BANHAO_SMS_FILE_PATH = _tmp / "sms"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # pytest-django gives each run a fresh database; WAL pragmas still apply.
    DATABASES["default"]["TEST"] = {"NAME": str(_tmp / "test.sqlite3")}
