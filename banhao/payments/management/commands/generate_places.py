"""``banhao generate_places``: the demo payments register, and random places at volume."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from banhao.payments.generator import MissingSeedData, generate_places, load_demo_register


class Command(BaseCommand):
    help = (
        "Load the demo payments register (places in every town of Yiyuan, marked demo) and, "
        "with --count, add that many random demo places for volume. Needs `banhao seed`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=0, help="Random places to add.")
        parser.add_argument("--seed", type=int, help="Random seed for --count.")
        parser.add_argument(
            "--no-demo", action="store_true", help="Skip the hand-shaped demo register."
        )
        parser.add_argument("--json", action="store_true", help="Print a JSON summary only.")

    def handle(self, *args, **options) -> None:
        if settings.SETTINGS_MODULE.endswith(".production"):
            raise CommandError("Demo places are not real; refusing to load them in production.")
        if options["count"] < 0:
            raise CommandError("--count must not be negative.")
        summary: dict = {}
        try:
            if not options["no_demo"]:
                summary.update(load_demo_register())
            if options["count"]:
                summary.update(generate_places(options["count"], seed=options["seed"]))
        except MissingSeedData as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            for key, value in summary.items():
                self.stdout.write(f"{key}: {value}")
