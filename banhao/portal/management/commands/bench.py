"""``banhao bench SCENARIO``: run benchmark scenarios from the ``bench/`` package.

The command only parses options, runs the registered scenarios and prints their records; the
scenarios themselves live in ``bench/scenarios/`` (see ``bench/README.md``).
"""

import json
import os

from django.core.management.base import BaseCommand, CommandError, CommandParser


def _figure(value, digits: int) -> str:
    if value is None:
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def format_table(records: list[dict]) -> str:
    """Records as a plain aligned text table; "-" where a figure does not apply."""
    columns = [
        ("scenario", "scenario", None),
        ("operation", "operation", None),
        ("database", "database", None),
        ("volume", "volume", 0),
        ("seconds", "seconds", 2),
        ("throughput_per_s", "per second", 0),
        ("p50_ms", "p50 ms", 2),
        ("p95_ms", "p95 ms", 2),
    ]
    rows = [
        [str(r[key]) if digits is None else _figure(r[key], digits) for key, _, digits in columns]
        for r in records
    ]
    headers = [title for _, title, _ in columns]
    widths = [max(len(x) for x in column) for column in zip(headers, *rows, strict=True)]
    numeric = [digits is not None for _, _, digits in columns]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(width) if right else cell.ljust(width)
            for cell, width, right in zip(cells, widths, numeric, strict=True)
        ).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


class Command(BaseCommand):
    help = (
        "Run benchmark scenarios (bench/scenarios/) and print their figures: a table, or JSON "
        "with --json. Scenarios that load data use a throwaway database of the configured kind."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "scenarios", nargs="*", metavar="SCENARIO", help='Scenario names, or "all".'
        )
        parser.add_argument(
            "--volume",
            type=int,
            help="Override each scenario's default volume (what it counts is scenario-specific).",
        )
        parser.add_argument(
            "--keep",
            action="store_true",
            help="Keep the throwaway database(s) and say where they are.",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help='Print {"cpu_count": N, "records": [...]} instead of a table.',
        )
        parser.add_argument("--list", action="store_true", help="List the scenarios and exit.")

    def handle(self, *args, **options) -> None:
        try:
            import bench
        except ImportError as exc:
            raise CommandError(
                "The bench package is not importable. Run benchmarks from a source checkout "
                "(the repository root on sys.path, or an editable install)."
            ) from exc

        available = bench.load_scenarios()
        if options["list"]:
            for item in available.values():
                self.stdout.write(
                    f"{item.name:<12} default volume {item.default_volume:>9,}  {item.description}"
                )
            return
        names = options["scenarios"]
        if names == ["all"]:
            names = list(available)
        if not names:
            raise CommandError(f"Name a scenario: {', '.join(available)} (or all).")
        unknown = [name for name in names if name not in available]
        if unknown:
            raise CommandError(
                f"Unknown scenario {', '.join(unknown)}; available: {', '.join(available)}."
            )
        volume = options["volume"]
        if volume is not None and volume < 1:
            raise CommandError("--volume must be at least 1.")

        # Progress goes to stderr when stdout carries JSON.
        stream = self.stderr if options["json"] else self.stdout

        def log(message: str) -> None:
            if options["verbosity"] > 0:
                stream.write(message, style_func=lambda text: text)

        records: list[dict] = []
        # A failed scenario does not throw away the others' figures (an `all` run takes an
        # hour): the rest still run and print, and the command fails at the end.
        failures: list[str] = []
        for name in names:
            item = available[name]
            context = bench.Context(
                volume=volume if volume is not None else item.default_volume,
                keep=options["keep"],
                log=log,
            )
            log(f"== {name} (volume {context.volume:,})")
            try:
                produced = item.run(context)
            except bench.BenchError as exc:
                failures.append(f"Scenario {name} failed: {exc}")
                self.stderr.write(failures[-1])
                continue
            for produced_record in produced:
                if tuple(produced_record) != bench.RECORD_KEYS:
                    raise CommandError(
                        f"Scenario {name} returned a record without the standard keys; "
                        "build records with bench.record()."
                    )
            records.extend(produced)

        if options["json"]:
            self.stdout.write(json.dumps({"cpu_count": os.cpu_count(), "records": records}))
        else:
            self.stdout.write(format_table(records))
            self.stdout.write(f"({os.cpu_count()} CPUs)")
        if failures:
            raise CommandError(" ".join(failures))
