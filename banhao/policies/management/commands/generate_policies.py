"""``banhao generate_policies``: varied active demo policies at volume (for benchmarks)."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from banhao.policies.generator import generate_policies


class Command(BaseCommand):
    help = (
        "Create and activate COUNT varied demo policies (1-5 clauses each, every operator), "
        "drawn from --seed. Needs `banhao seed`. Not for production."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=200)
        parser.add_argument("--seed", type=int)
        parser.add_argument("--json", action="store_true", help="Print a JSON summary only.")

    def handle(self, *args, **options):
        if settings.SETTINGS_MODULE.endswith(".production"):
            raise CommandError("Generated policies are not real; refusing in production.")
        if options["count"] < 0:
            raise CommandError("--count must not be negative.")
        try:
            summary = generate_policies(options["count"], seed=options["seed"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            self.stdout.write(
                f"Created {summary['policies']} active policies with {summary['clauses']} "
                f"clauses in {summary['seconds']:.1f} s."
            )
