from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from banhao.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, MissingSeedData, load_demo_accounts
from banhao.archives.demo import load_demo_archives
from banhao.archives.models import Enterprise, Person
from banhao.policies.demo import load_demo_policies
from banhao.policies.services import match_all


class Command(BaseCommand):
    help = "Load demo accounts (one per role) and a small set of generated demo data. Never in production."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-data", action="store_true", help="Only the accounts, no generated data."
        )

    def handle(self, *args, **options):
        if settings.SETTINGS_MODULE.endswith(".production"):
            raise CommandError(
                "Demo accounts have a published password; refusing to load them in production."
            )
        try:
            created, existing = load_demo_accounts()
        except MissingSeedData as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Demo accounts: {created} created, {existing} already present.")
        if not options["no_data"]:
            if not Person.objects.exists() and not Enterprise.objects.exists():
                call_command("generate", size="small", stdout=self.stdout)
            # Archives of the demo citizen and enterprise (licences near expiry, a spouse).
            self.stdout.write(f"Demo archives: {load_demo_archives()} licences added.")
            # The payment finder's demo register (idempotent: existing demo places are kept).
            call_command("generate_places", stdout=self.stdout)
            # Demo enterprise policies (惠企政策), then matched against the archives.
            made, kept = load_demo_policies()
            self.stdout.write(f"Demo policies: {made} created, {kept} already present.")
            self.stdout.write("\n".join(match_all().lines()))
        width = max(len(a.username) for a in DEMO_ACCOUNTS)
        self.stdout.write(
            f"Log in at http://127.0.0.1:8000/accounts/login/ with password {DEMO_PASSWORD}:"
        )
        for account in DEMO_ACCOUNTS:
            unit = account.department or account.venue or account.organisation_name
            self.stdout.write(
                f"  {account.username:<{width}}  {str(account.role.label):<20} {unit}"
            )
