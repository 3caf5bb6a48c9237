"""Cards on the role home pages for enterprise policies (惠企政策)."""

from django.utils.translation import gettext_lazy as _

from banhao.accounts.roles import Role
from banhao.core.registry import HomeCard

from .access import POLICY_STAFF_ROLES


def _matched(user) -> int | None:
    from .selectors import matched_count

    return matched_count(user) or None


def _pending(user) -> int | None:
    from .selectors import pending_count

    return pending_count(user)


CARDS = [
    HomeCard(
        title=_("Policies for you"),
        description=_(
            "Support your enterprise qualifies for, why (or why not), and benefits granted "
            "without applying."
        ),
        url_name="policies:for_me",
        roles=frozenset({Role.ENTERPRISE}),
        order=15,
        badge=_matched,
    ),
    HomeCard(
        title=_("Enterprise policies"),
        description=_(
            "Write eligibility rules, simulate who qualifies and at what cost, approve grants."
        ),
        url_name="policies:staff_list",
        roles=POLICY_STAFF_ROLES,
        order=70,
        badge=_pending,
    ),
]
