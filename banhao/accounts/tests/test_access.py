"""Row-level rules: each role sees only its own unit's rows (authorisation matrix)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from banhao.accounts.access import get_scoped_or_404, scope_to_unit
from banhao.accounts.models import User
from banhao.accounts.roles import Role
from banhao.testing import VERIFYING_CLERK, department, make_user, venue

pytestmark = pytest.mark.django_db


@pytest.fixture
def units():
    return {
        "approval": department("县行政审批服务局"),
        "police": department("县公安局"),
        "centre": venue("沂源县政务服务中心"),
        "town": venue("南麻街道便民服务中心"),
    }


def staff_visible_to(user):
    # Staff directory rows: department staff by department, clerks by venue.
    qs = User.objects.exclude(role__in=[Role.CITIZEN, Role.ENTERPRISE]).exclude(
        username=VERIFYING_CLERK  # verified the test citizen (banhao.testing.make_user)
    )
    return set(scope_to_unit(qs, user).values_list("username", flat=True))


def test_matrix(units):
    make_user(Role.DEPT_HANDLER, "h_approval", department=units["approval"])
    make_user(Role.DEPT_HANDLER, "h_police", department=units["police"])
    head = make_user(Role.DEPT_HEAD, "head_approval", department=units["approval"])
    clerk = make_user(Role.WINDOW_CLERK, "clerk_centre", venue=units["centre"])
    make_user(Role.WINDOW_CLERK, "clerk_town", venue=units["town"])
    leader = make_user(Role.COUNTY_LEADER, "leader")
    citizen = make_user(Role.CITIZEN, "citizen")

    assert staff_visible_to(head) == {"h_approval", "head_approval"}
    assert staff_visible_to(clerk) == {"clerk_centre"}
    assert staff_visible_to(leader) == {
        "h_approval",
        "h_police",
        "head_approval",
        "clerk_centre",
        "clerk_town",
        "leader",
    }
    assert staff_visible_to(citizen) == set()
    assert staff_visible_to(AnonymousUser()) == set()


def test_scoped_lookup_hides_other_units(units):
    mine = make_user(Role.DEPT_HANDLER, department=units["approval"])
    other = make_user(Role.DEPT_HANDLER, department=units["police"])
    qs = User.objects.all()
    assert get_scoped_or_404(qs, mine, mine.pk) == mine
    with pytest.raises(Http404):
        get_scoped_or_404(qs, mine, other.pk)
    with pytest.raises(Http404):
        get_scoped_or_404(qs, mine, 999_999)


def test_public_users_see_only_their_own_rows(units):
    citizen = make_user(Role.CITIZEN)
    other = make_user(Role.CITIZEN)
    # Notifications are owned by their recipient.
    from banhao.notifications.models import Notification
    from banhao.notifications.services import notify

    notify(recipient=citizen, event_key="e1", kind="test", title="A")
    notify(recipient=other, event_key="e1", kind="test", title="B")
    seen = scope_to_unit(
        Notification.objects.all(),
        citizen,
        department_field=None,
        venue_field=None,
        owner_field="recipient",
    )
    assert [n.title for n in seen] == ["A"]
