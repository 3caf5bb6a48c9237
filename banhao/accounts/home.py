"""Cards on the role home pages for accounts: real-name verification at the window."""

from django.utils.translation import gettext_lazy as _

from banhao.core.registry import HomeCard

from .roles import Role

CARDS = [
    HomeCard(
        title=_("Verify an identity"),
        description=_(
            "实名核验: check a citizen's ID card or an enterprise's business licence, so their "
            "archive opens to them."
        ),
        url_name="accounts:verify_find",
        roles=frozenset({Role.WINDOW_CLERK}),
        order=12,
    )
]
