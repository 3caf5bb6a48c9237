"""Scenario ``payments``: the public payment finder at volume, through HTTP.

In a throwaway database: migrate, seed, the demo register plus ``volume`` generated places
(``banhao generate_places``); then gunicorn on loopback (2 workers, the machine's cores) serves
the finder, and one client times finder queries — random filters and a random origin in the
county, nearest 20 — one after another, as the page (HTML) and as the API (JSON).
Target: p95 under 50 ms for the page with 20,000 places.
"""

import json
import random
import tempfile

import httpx

from bench import Context, record, scenario, serve, throughput, throwaway_database, time_page

SEED = 2024
REQUESTS = 400
WARM_UP = 40
FILTERS = [
    {"need": ["card_visa"]},
    {"need": ["foreign_card_withdrawal"], "kind": "atm"},
    {"need": ["currency_exchange"]},
    {"need": ["cash", "card_mastercard"]},
    {"need": ["card_visa", "mobile_foreign_wallet"], "kind": "merchant"},
    {"kind": "service_station"},
]
BOX = ((35.99, 36.33), (117.93, 118.41))  # the county, roughly


def _queries(n: int, rng: random.Random) -> list[dict]:
    out = []
    for _ in range(n):
        params = dict(rng.choice(FILTERS))
        params["lat"] = f"{rng.uniform(*BOX[0]):.5f}"
        params["lng"] = f"{rng.uniform(*BOX[1]):.5f}"
        out.append(params)
    return out


@scenario(
    "payments",
    default_volume=20_000,
    description="payment finder with `volume` places: filters + nearest 20 through HTTP "
    "(gunicorn on loopback), p50/p95 of the page and the API; target p95 < 50 ms",
)
def run(context: Context) -> list[dict]:
    places = context.volume
    rng = random.Random(SEED)
    records = []
    with throwaway_database(keep=context.keep, log=context.log) as db:
        static_dir = None
        if "BANHAO_VAR_DIR" not in db.env:  # PostgreSQL: keep collected files out of the checkout
            static_dir = tempfile.TemporaryDirectory(prefix="banhao-bench-static-")
            # Both the manage commands (collectstatic) and the server must use the same folder.
            db.env["BANHAO_VAR_DIR"] = static_dir.name
        env = dict(db.env)
        context.log(f"Throwaway {db.label} database: {db.location}")
        db.manage("migrate", "--verbosity", "0")
        db.manage("seed")
        db.manage("collectstatic", "--noinput", "--verbosity", "0")
        context.log(f"Generating {places:,} places …")
        summary = json.loads(
            db.manage("generate_places", "--count", str(places), "--seed", str(SEED), "--json")
            .strip()
            .splitlines()[-1]
        )
        records.append(
            record(
                scenario="payments",
                operation="generate places (with their facts)",
                database=db.label,
                volume=summary["places"],
                seconds=summary["seconds"],
                throughput_per_s=throughput(summary["places"], summary["seconds"]),
            )
        )
        try:
            with (
                serve(env, ready="/pay/") as server,
                httpx.Client(base_url=server.base_url, timeout=30) as client,
            ):
                for path, operation in (
                    ("/pay/", "finder page: filters + nearest 20"),
                    ("/api/v1/payments/places/", "finder API: filters + nearest 20"),
                ):
                    warm_up = _queries(WARM_UP, rng)
                    records.append(
                        time_page(
                            client,
                            path,
                            _queries(REQUESTS, rng),
                            warm_up=warm_up,
                            scenario="payments",
                            operation=operation,
                            database=db.label,
                            log=context.log,
                        )
                    )
        finally:
            if static_dir is not None:
                static_dir.cleanup()
    return records
