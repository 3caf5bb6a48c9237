"""Seed the payment plan's four targets (``data/targets.json``) and the banks they name
(``data/banks.json``). The register of places is not seed data: real places come from the
departments and banks (or a CSV import); ``banhao generate_places`` loads demo places."""

import datetime
from decimal import Decimal
from pathlib import Path

from banhao.core.seeding import Tally, load_json, upsert

from .models import Bank, PaymentTarget

DATA_DIR = Path(__file__).parent


def seed_banks(tally: Tally | None = None) -> None:
    # ``department`` is left alone: an administrator links each bank to its county branch.
    for position, data in enumerate(load_json(DATA_DIR, "banks.json"), start=1):
        upsert(
            Bank,
            {"code": data["code"]},
            {
                "name": data["name"],
                "full_name": data["full_name"],
                "name_en": data["name_en"],
                "sort_order": position,
            },
            kind="banks",
            tally=tally,
        )


def seed_payment_targets(tally: Tally | None = None) -> None:
    """The four targets and the banks their coverage rules refer to."""
    seed_banks(tally)
    for data in load_json(DATA_DIR, "targets.json"):
        threshold = data["threshold"]
        upsert(
            PaymentTarget,
            {"code": data["code"]},
            {
                "position": data["position"],
                "text": data["text"],
                "text_en": data["text_en"],
                "metric": data["metric"],
                "threshold": Decimal(threshold) if threshold is not None else None,
                "scope": data["scope"],
                "scope_en": data["scope_en"],
                "deadline": datetime.date.fromisoformat(data["deadline"]),
                "deadline_as_written": data["deadline_as_written"],
                "source": data["source"],
                "rule": data["rule"],
            },
            kind="payment_targets",
            tally=tally,
        )


def sector_departments() -> dict[str, str]:
    """Sector code → the supervising department's name as written in the plan."""
    data = load_json(DATA_DIR, "sectors.json")
    return {k: v for k, v in data.items() if not k.startswith("_")}
