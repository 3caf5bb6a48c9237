"""``banhao generate_tickets``: a year of demo 12345 tickets at volume, and their daily facts."""

import dataclasses
import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from banhao.hotline.generator import NotSeededError, generate_tickets


class Command(BaseCommand):
    help = "Add demo hotline tickets spread over the past year (needs `banhao seed`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=10_000, help="Tickets to add.")
        parser.add_argument("--days", type=int, default=365, help="Spread over this many days.")
        parser.add_argument("--seed", type=int, default=2024, help="Random seed.")
        parser.add_argument("--json", action="store_true", help="Print only a JSON summary.")

    def handle(self, *args, **options) -> None:
        if options["count"] < 0 or options["days"] < 1:
            raise CommandError("--count must not be negative and --days at least 1.")
        try:
            summary = generate_tickets(options["count"], seed=options["seed"], days=options["days"])
        except NotSeededError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(dataclasses.asdict(summary)))
        else:
            self.stdout.write(
                f"{summary.tickets:,} tickets in {summary.tickets_seconds:.1f} s; "
                f"{summary.facts:,} daily facts rebuilt in {summary.facts_seconds:.1f} s."
            )
