"""Cards on the role home pages for the archives (一人一档, 一企一档)."""

from django.utils.translation import gettext_lazy as _

from banhao.accounts.roles import PUBLIC_ROLES, STAFF_ROLES, Role
from banhao.core.registry import HomeCard


def _upcoming(user) -> int | None:
    from .selectors import upcoming_count

    return upcoming_count(user) or None


CARDS = [
    HomeCard(
        title=_("My archive"),
        description=_("Your licences and certificates, applications, benefits and who looked."),
        url_name="archives:mine",
        roles=PUBLIC_ROLES,
        order=15,
        badge=_upcoming,
    ),
    HomeCard(
        title=_("Archives"),
        description=_("Open a person's or enterprise's archive for a recorded purpose."),
        url_name="archives:search",
        roles=STAFF_ROLES,
        order=70,
    ),
    HomeCard(
        title=_("Import archives"),
        description=_("Persons, enterprises and licences from a CSV file, all or nothing."),
        url_name="archives:import",
        roles=frozenset({Role.ADMIN}),
        order=71,
    ),
]
