"""``banhao match_policies``: match all enterprises against all live policies now."""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from banhao.policies import matching
from banhao.policies.services import match_all


class Command(BaseCommand):
    help = (
        "Match every enterprise archive against every active policy: store new matches, tell "
        "each eligible enterprise's account once per policy, make 免申即享 grants. Idempotent. "
        "Enterprises without an account are counted, and nothing is sent to them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Match as of this date (YYYY-MM-DD); default today.")
        parser.add_argument("--policy", type=int, action="append", help="Only this policy id.")
        parser.add_argument(
            "--strategy",
            choices=["scan", "per_policy"],
            default=matching.DEFAULT_STRATEGY,
            help="One pass with a bit column per 62 policies (scan), or one query per policy.",
        )
        parser.add_argument("--json", action="store_true", help="Print a JSON summary only.")

    def handle(self, *args, **options):
        as_of = None
        if options["date"]:
            try:
                as_of = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("--date must be YYYY-MM-DD.") from exc
        report = match_all(as_of=as_of, policy_ids=options["policy"], strategy=options["strategy"])
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict()))
            return
        for line in report.lines():
            self.stdout.write(line)
