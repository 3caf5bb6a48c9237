"""The newborn benchmark's service path (bench/scenarios/onething.py), run in-process at a tiny
volume: its accounts, drafts (eight uploads each), submissions and approvals still work."""

import json

import pytest

from banhao.onething.models import Application, MaterialRecord
from banhao.onething.states import ApplicationState
from banhao.portal.seeding import run_all
from bench.scenarios import onething as scenario

pytestmark = pytest.mark.django_db


def test_prepare_and_complete_two_newborn_bundles(tmp_path, settings, capsys):
    settings.MEDIA_ROOT = tmp_path / "media"
    run_all()
    drafts = tmp_path / "drafts.json"
    scenario.prepare_phase(2, str(drafts))
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["bundles"] == 2
    scenario.complete_phase(str(drafts))
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["steps"] == 2 * 8  # one submission and seven approvals per bundle
    apps = Application.objects.filter(pk__in=[pk for _, pk in json.loads(drafts.read_text())])
    assert {a.state for a in apps} == {ApplicationState.COMPLETED}
    # Its accounts hold no archive: every material was uploaded, none taken from a record.
    assert {(a.materials_needed, a.materials_from_records) for a in apps} == {(8, 0)}
    assert not MaterialRecord.objects.exists()
