import pytest
from django.core.management import CommandError, call_command

from banhao.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo_accounts
from banhao.accounts.models import User
from banhao.accounts.roles import Role
from banhao.portal.seeding import run_all

pytestmark = pytest.mark.django_db


def test_demo_accounts_cover_every_role_and_load_once(client):
    run_all()
    assert load_demo_accounts() == (len(DEMO_ACCOUNTS), 0)
    assert load_demo_accounts() == (0, len(DEMO_ACCOUNTS))
    assert {u.role for u in User.objects.all()} == set(Role)
    for account in DEMO_ACCOUNTS:
        assert client.login(username=account.username, password=DEMO_PASSWORD), account.username
    assert User.objects.get(username="operator").department.name == "县政府市民投诉中心"


def test_demo_needs_seed_data_first():
    with pytest.raises(CommandError, match="run `banhao seed` first"):
        call_command("demo", no_data=True)
    assert not User.objects.exists()
