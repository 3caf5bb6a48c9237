"""The demo policies load on the seeded county, read correctly and match generated firms."""

from banhao.archives.generator import generate_archives
from banhao.policies.demo import DEMO_POLICIES, load_demo_policies
from banhao.policies.models import Grant, Policy
from banhao.policies.services import match_all
from banhao.policies.states import PolicyState
from banhao.portal.seeding import run_all


def test_demo_policies_load_once_and_match(db):
    run_all()
    generate_archives(0, 300, seed=3)
    assert load_demo_policies() == (len(DEMO_POLICIES), 0)
    assert load_demo_policies() == (0, len(DEMO_POLICIES))
    assert set(Policy.objects.values_list("state", "is_demo")) == {(PolicyState.ACTIVE, True)}
    report = match_all()
    assert report.broken == {}
    assert report.eligible > 0
    assert report.grants_granted > 0  # the job retention refund is paid without approval
    assert report.grants_pending == Grant.objects.filter(state="pending_approval").count()
