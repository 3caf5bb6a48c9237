"""``banhao generate``: add realistic demo person and enterprise archives at volume."""

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from banhao.archives.generator import SIZES, NoTownshipsError, generate_archives
from banhao.archives.models import Enterprise, Person


class Command(BaseCommand):
    help = (
        "Add demo person and enterprise archives of Yiyuan County with valid, unique ID numbers "
        "and credit codes. Needs the regions loaded by `banhao seed`. "
        "Sizes: "
        + ", ".join(
            f"{k} = {v.persons:,} persons + {v.enterprises:,} enterprises" for k, v in SIZES.items()
        )
        + "."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--size",
            choices=sorted(SIZES),
            help="A preset volume; the default when neither --persons nor --enterprises is given "
            "is small.",
        )
        parser.add_argument(
            "--persons",
            type=int,
            help="Person archives to add (overrides --size; without --size, default 0).",
        )
        parser.add_argument(
            "--enterprises",
            type=int,
            help="Enterprise archives to add (overrides --size; without --size, default 0).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            help="Random seed; the same seed on the same database repeats a run.",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print only a JSON summary (counts, seconds, rows per second, seed).",
        )

    def handle(self, *args, **options) -> None:
        persons, enterprises = options["persons"], options["enterprises"]
        if options["size"] or (persons is None and enterprises is None):
            # A preset (small by default); --persons/--enterprises override its figures.
            size = SIZES[options["size"] or "small"]
            persons = size.persons if persons is None else persons
            enterprises = size.enterprises if enterprises is None else enterprises
        else:
            # Only explicit counts: what is not named is not generated.
            persons, enterprises = persons or 0, enterprises or 0
        if persons < 0 or enterprises < 0:
            raise CommandError("--persons and --enterprises must not be negative.")
        as_json = options["json"]
        verbose = options["verbosity"] > 0 and not as_json

        def progress(kind: str, done: int, total: int, elapsed: float) -> None:
            if verbose:
                rate = done / elapsed if elapsed else 0.0
                self.stdout.write(
                    f"  {kind}: {done:>9,} / {total:,}  {elapsed:7.1f} s  {rate:9,.0f} rows/s"
                )

        if verbose:
            self.stdout.write(f"Generating {persons:,} persons and {enterprises:,} enterprises …")
        try:
            result = generate_archives(
                persons, enterprises, seed=options["seed"], progress=progress
            )
        except NoTownshipsError as exc:
            raise CommandError(str(exc)) from exc

        def rate(rows: int, seconds: float) -> float | None:
            return rows / seconds if rows and seconds else None

        summary = {
            "seed": result.seed,
            "persons": result.persons,
            "persons_seconds": result.persons_seconds,
            "persons_per_s": rate(result.persons, result.persons_seconds),
            "enterprises": result.enterprises,
            "enterprises_seconds": result.enterprises_seconds,
            "enterprises_per_s": rate(result.enterprises, result.enterprises_seconds),
            "total_persons": Person.objects.count(),
            "total_enterprises": Enterprise.objects.count(),
        }
        if as_json:
            self.stdout.write(json.dumps(summary))
            return
        if verbose:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Added {result.persons:,} persons in {result.persons_seconds:.1f} s and "
                    f"{result.enterprises:,} enterprises in {result.enterprises_seconds:.1f} s "
                    f"(seed {result.seed})."
                )
            )
            self.stdout.write(
                f"The archives now hold {summary['total_persons']:,} persons and "
                f"{summary['total_enterprises']:,} enterprises."
            )
