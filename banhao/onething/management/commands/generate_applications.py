"""``banhao generate_applications --count N``: past one-thing applications at volume."""

from django.core.management.base import BaseCommand, CommandError

from banhao.onething.generator import generate


class Command(BaseCommand):
    help = (
        "Write N past one-thing applications of every published bundle, with their tasks and "
        "timeline (most finished, a share still open in the departments' queues)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument("--json", action="store_true", help="Print a JSON summary last.")

    def handle(self, *args, count: int, seed: int, json: bool = False, **options):
        if count < 1:
            raise CommandError("--count must be at least 1.")
        try:
            summary = generate(count, seed=seed, log=lambda m: self.stderr.write(m))
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        if json:
            import json as _json

            self.stdout.write(_json.dumps(summary.__dict__))
        else:
            self.stdout.write(
                f"{summary.applications:,} applications, {summary.tasks:,} tasks, "
                f"{summary.events:,} timeline entries in {summary.seconds:.1f} s"
            )
