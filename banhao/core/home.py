"""Cards on each role's home page, contributed by the apps.

Each app registers its cards in its own ``home.py`` (imported from its AppConfig.ready), so the
role home templates need no change when a capability arrives.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse


@dataclass(frozen=True)
class HomeCard:
    title: str
    description: str
    url_name: str
    roles: frozenset[str]
    order: int = 100
    # Optional count shown on the card (e.g. tasks due); called with the user.
    badge: Callable[..., int | None] | None = field(default=None, compare=False)


_cards: list[HomeCard] = []


def register(card: HomeCard) -> HomeCard:
    if card not in _cards:
        _cards.append(card)
    return card


def cards_for(user) -> list[dict]:
    result = []
    for card in sorted(_cards, key=lambda c: c.order):
        if user.role not in card.roles:
            continue
        result.append(
            {
                "title": card.title,
                "description": card.description,
                "url": reverse(card.url_name),
                "badge": card.badge(user) if card.badge else None,
                "testid": card.url_name.replace(":", "-"),
            }
        )
    return result
