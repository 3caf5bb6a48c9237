"""``run_all()``: every app's shipped reference data, in one transaction.

Each app registers its loader (``banhao.core.registry.SeedLoader``) from its ``AppConfig.ready``;
the loaders write through ``core.seeding.upsert``, keyed by natural keys, so loading twice
changes nothing. Their ``order`` puts regions before departments, the catalogue before what
refers to its items, and so on.
"""

from typing import IO

from django.db import transaction

from banhao.core.registry import seed_loaders
from banhao.core.seeding import Tally


def held_counts() -> dict[str, int]:
    """How many rows of each seeded kind the database holds, in loading order."""
    counts: dict[str, int] = {}
    for loader in seed_loaders:
        counts.update(loader.counts())
    return counts


def run_all(stdout: IO[str] | None = None, *, tally: Tally | None = None) -> dict[str, int]:
    """Load all seed data in one transaction; return the rows held per kind.

    With ``stdout``, print one line per kind: rows held, and how many this run created or
    updated. Pass a ``Tally`` to inspect the changes afterwards.
    """
    tally = tally if tally is not None else Tally()
    with transaction.atomic():
        for loader in seed_loaders:
            loader.load(tally)
        counts = held_counts()
    if stdout is not None:
        width = max(len(kind) for kind in counts)
        for kind, count in counts.items():
            stdout.write(
                f"{kind:<{width}}  {count:>4}"
                f"  (created {tally.created[kind]}, updated {tally.updated[kind]})\n"
            )
    return counts
