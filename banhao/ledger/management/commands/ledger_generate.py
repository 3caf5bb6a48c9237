import json

from django.core.management.base import BaseCommand

from banhao.ledger.generator import generate


class Command(BaseCommand):
    help = "Generate demo ledger tasks and progress reports (needs `banhao seed` first)."

    def add_arguments(self, parser):
        parser.add_argument("--tasks", type=int, default=1000)
        parser.add_argument("--reports", type=int, default=20000)
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, tasks, reports, seed, **options):
        as_json = options["json"]
        log = (lambda m: None) if as_json else self.stderr.write
        result = generate(tasks=tasks, reports=reports, seed=seed, log=log)
        self.stdout.write(_dumps(result) if as_json else f"{result}\n")


def _dumps(result) -> str:
    return json.dumps(result) + "\n"
