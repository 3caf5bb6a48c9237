"""The zh-hans catalogue is complete: every English source string has its Chinese."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "banhao" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


@pytest.mark.skipif(shutil.which("msgattrib") is None, reason="gettext is installed by ./dev setup")
def test_no_untranslated_or_fuzzy_entries():
    for flag in ("--untranslated", "--only-fuzzy"):
        out = subprocess.run(  # noqa: S603
            ["msgattrib", flag, "--no-obsolete", str(PO)],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        entries = [
            line for line in out.splitlines() if line.startswith("msgid ") and line != 'msgid ""'
        ]
        assert entries == [], f"{flag}: {entries[:10]}"


@pytest.mark.django_db
def test_the_site_speaks_chinese_by_default_and_english_on_request(client):
    with translation.override("zh-hans"):
        assert (
            translation.gettext("Get one thing done efficiently")
            != "Get one thing done efficiently"
        )
    assert "一件事" in client.get("/").content.decode()
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Get one thing done efficiently" in english
