"""What the apps contribute to the platform, registered in one style.

Core is the ground floor: it imports no app. Each app registers what it contributes (seed
loaders, home-page cards, periodic jobs, evaluation indicator sources) from its
``AppConfig.ready()``, passing the objects themselves — never module-name strings — so a
renamed function fails at start-up, not at 3 a.m. The site assembly (``banhao.portal``) and
the apps that consume a registry (the ledger's evaluation reads ``indicators``) read them.

Registering the same key twice replaces the entry: ``ready()`` may run again in tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from celery.schedules import crontab

    from .seeding import Tally


class _Keyed(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def order(self) -> int: ...


T = TypeVar("T", bound=_Keyed)


class Registry(Generic[T]):
    """Entries by key, listed in ``order`` (then key) — the one registry style of the platform."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._entries: dict[str, T] = {}

    def register(self, entry: T) -> T:
        self._entries[entry.key] = entry
        return entry

    def get(self, key: str) -> T:
        try:
            return self._entries[key]
        except KeyError:
            raise KeyError(f"No {self.what} named {key!r}") from None

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[T]:
        return iter(sorted(self._entries.values(), key=lambda e: (e.order, e.key)))

    def keys(self) -> list[str]:
        return [entry.key for entry in self]


# --- seed data ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedLoader:
    """One app's shipped reference data. ``order`` puts regions before the departments that sit
    in them, the catalogue before what refers to its items, and so on."""

    key: str
    order: int
    load: Callable[[Tally], object]
    # Rows held per kind, for the seed command's report: {"departments": 57, …}.
    counts: Callable[[], Mapping[str, int]]


seed_loaders: Registry[SeedLoader] = Registry("seed loader")


# --- home-page cards ------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeCard:
    """A card on a role's home page, linking to one page of an app."""

    title: str
    description: str
    url_name: str
    roles: frozenset[str]
    order: int = 100
    # Optional count shown on the card (e.g. tasks due); called with the user.
    badge: Callable[..., int | None] | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        # One page can have a card for several roles, worded for each.
        return f"{self.url_name}|{','.join(sorted(self.roles))}"


home_cards: Registry[HomeCard] = Registry("home card")


# --- periodic jobs --------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodicJob:
    """A scheduled job: Celery beat runs ``task`` on ``schedule`` in production; the embedded
    setup runs ``banhao periodic`` from cron. Every job is idempotent, so a late or repeated run
    is harmless."""

    key: str
    task: Any  # a Celery task object: called directly, or sent by its registered name
    schedule: crontab
    description: str
    order: int = 100


periodic_jobs: Registry[PeriodicJob] = Registry("periodic job")


def beat_schedule() -> dict[str, dict[str, Any]]:
    return {job.key: {"task": job.task.name, "schedule": job.schedule} for job in periodic_jobs}


# --- evaluation indicator sources -----------------------------------------------------------


@dataclass
class Value:
    value: float | None  # a percentage 0–100; None when nothing was due for the unit
    inputs: dict[str, Any] = field(default_factory=dict)


IndicatorCompute = Callable[[Any, dt.date, dt.date], dict[int, Value]]


@dataclass(frozen=True)
class IndicatorSource:
    """unit × period → value, with its inputs. ``compute(unit_ids, start, end)`` returns every
    unit's value at once (so evaluating all units for a month stays fast) and keeps the inputs
    behind each value, so every score can be traced. An ``Indicator`` row of the ledger
    (configured by the office: name, weight, active) points at a source by its key."""

    key: str
    name: object
    description: object
    compute: IndicatorCompute
    order: int = 100


indicators: Registry[IndicatorSource] = Registry("indicator source")


def ratio(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` as a percentage with two decimals; None when nothing was due."""
    return round(100 * part / whole, 2) if whole else None


# --- one call per app -------------------------------------------------------------------------


def contribute(
    *,
    seed: SeedLoader | None = None,
    cards: Iterable[HomeCard] = (),
    jobs: Iterable[PeriodicJob] = (),
    sources: Iterable[IndicatorSource] = (),
) -> None:
    """Register everything one app contributes; called from its ``AppConfig.ready``."""
    if seed is not None:
        seed_loaders.register(seed)
    for card in cards:
        home_cards.register(card)
    for job in jobs:
        periodic_jobs.register(job)
    for source in sources:
        indicators.register(source)
