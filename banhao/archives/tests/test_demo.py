import pytest

from banhao.accounts.demo import load_demo_accounts
from banhao.accounts.models import User
from banhao.archives import selectors
from banhao.archives.demo import load_demo_archives
from banhao.archives.models import Licence

pytestmark = pytest.mark.django_db


def test_demo_archives_are_full_and_load_once(seeded):
    load_demo_accounts()
    assert load_demo_archives() == 5
    assert load_demo_archives() == 0
    citizen = User.objects.get(username="citizen")
    values = selectors.prefill_for(citizen, ["father_name", "mother_name", "marriage_cert_number"])
    assert values["mother_name"].value == "李秀英"
    assert values["marriage_cert_number"].value == "J370323-2016-000456"
    firm = selectors.archive_of_user(User.objects.get(username="enterprise"))
    view = selectors.archive_view(firm, reveal=True)
    assert [lic.number for lic in view.upcoming] == ["JY23703230000456"]
    assert Licence.objects.count() == 5
