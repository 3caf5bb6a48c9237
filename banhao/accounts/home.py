"""Cards on the role home pages for accounts: real-name verification at the window.

Imported from AccountsConfig.ready (``from . import home``), like the other apps' cards.
"""

from django.utils.translation import gettext_lazy as _

from banhao.core.home import HomeCard, register

from .roles import Role

register(
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
)
