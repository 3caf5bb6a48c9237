"""Home-page cards for the one-thing pages."""

from django.utils.translation import gettext_lazy as _

from banhao.accounts.roles import Role
from banhao.core.registry import HomeCard


def _open_tasks(user) -> int | None:
    from . import selectors

    counts = selectors.queue_counts(user)
    return sum(counts.values()) or None


CARDS = [
    HomeCard(
        title=_("Get one thing done"),
        description=_("Apply once for a bundle of services: one form, one set of materials."),
        url_name="onething:bundles",
        roles=frozenset({Role.CITIZEN, Role.ENTERPRISE}),
        order=10,
    ),
    HomeCard(
        title=_("My applications"),
        description=_("Status, timeline, corrections and results of your one-things."),
        url_name="onething:applications",
        roles=frozenset({Role.CITIZEN, Role.ENTERPRISE}),
        order=11,
    ),
    HomeCard(
        title=_("One-window intake"),
        description=_("Take a one-thing application at the window on the applicant's behalf."),
        url_name="onething:bundles",
        roles=frozenset({Role.WINDOW_CLERK}),
        order=10,
    ),
    HomeCard(
        title=_("Applications received here"),
        description=_("Follow the applications taken at this venue, wherever they are handled."),
        url_name="onething:applications",
        roles=frozenset({Role.WINDOW_CLERK}),
        order=11,
    ),
    HomeCard(
        title=_("One-thing tasks"),
        description=_("Your department's part of one-thing applications, most urgent first."),
        url_name="onething:queue",
        roles=frozenset({Role.DEPT_HANDLER, Role.DEPT_HEAD}),
        order=10,
        badge=_open_tasks,
    ),
]
