"""Scenario ``generate``: how fast ``banhao generate`` fills an empty database.

Runs the real command in a throwaway database of the configured kind, after migrating it and
loading the regions; volume = persons, with one enterprise per ten persons.
"""

import json

from bench import Context, record, scenario, throughput, throwaway_database

SEED = 2024


@scenario(
    "generate",
    default_volume=500_000,
    description="banhao generate into an empty database: persons (volume) and enterprises "
    "(volume / 10), rows per second",
)
def run(context: Context) -> list[dict]:
    persons = context.volume
    enterprises = max(1, persons // 10)
    with throwaway_database(keep=context.keep, log=context.log) as db:
        context.log(f"Throwaway {db.label} database: {db.location}")
        context.log("Migrating …")
        db.manage("migrate", "--verbosity", "0")
        context.log("Loading regions …")
        db.manage(
            "shell",
            "--verbosity",
            "0",
            "--command",
            "from banhao.org.seed import seed_regions; seed_regions()",
        )
        context.log(f"Generating {persons:,} persons and {enterprises:,} enterprises …")
        output = db.manage(
            "generate",
            "--persons",
            str(persons),
            "--enterprises",
            str(enterprises),
            "--seed",
            str(SEED),
            "--json",
        )
    summary = json.loads(output.strip().splitlines()[-1])
    return [
        record(
            scenario="generate",
            operation=f"insert {kind}",
            database=db.label,
            volume=summary[kind],
            seconds=summary[f"{kind}_seconds"],
            throughput_per_s=throughput(summary[kind], summary[f"{kind}_seconds"]),
        )
        for kind in ("persons", "enterprises")
    ]
