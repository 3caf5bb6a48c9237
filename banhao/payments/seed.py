"""Seed the payment plan's four targets from ``banhao/payments/data/targets.json``."""

import datetime
from decimal import Decimal
from pathlib import Path

from banhao.core.seeding import Tally, load_json, upsert

from .models import PaymentTarget

DATA_DIR = Path(__file__).parent


def seed_payment_targets(tally: Tally | None = None) -> None:
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
            },
            kind="payment_targets",
            tally=tally,
        )
