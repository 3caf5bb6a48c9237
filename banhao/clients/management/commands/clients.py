"""``banhao clients create|rotate|expire``: register a machine client, rotate its secret.

The secret is printed once; it is stored hashed and cannot be shown again.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from banhao.clients import services
from banhao.clients.errors import ClientError
from banhao.clients.models import MachineClient
from banhao.org.models import Department, Region


class Command(BaseCommand):
    help = "Create a machine client, rotate its secret, or delete retired credentials."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("code")
        create.add_argument("--name", required=True)
        create.add_argument("--name-en", default="")
        create.add_argument("--scope", action="append", default=[], dest="scopes")
        create.add_argument("--department", type=int, help="department id")
        create.add_argument("--region", help="region division code")
        rotate = sub.add_parser("rotate")
        rotate.add_argument("code")
        rotate.add_argument(
            "--grace-hours", type=int, default=168, help="how long the old secret still works"
        )
        sub.add_parser("expire")

    def handle(self, *args, action, **options):
        try:
            if action == "create":
                department = region = None
                if options["department"]:
                    department = Department.objects.filter(pk=options["department"]).first()
                    if department is None:
                        raise CommandError("No such department.")
                if options["region"]:
                    region = Region.objects.filter(code=options["region"]).first()
                    if region is None:
                        raise CommandError("No region with that code.")
                _client, issued = services.create_client(
                    actor=None,
                    code=options["code"],
                    name=options["name"],
                    name_en=options["name_en"],
                    scopes=options["scopes"],
                    department=department,
                    region=region,
                )
            elif action == "rotate":
                client = MachineClient.objects.filter(code=options["code"]).first()
                if client is None:
                    raise CommandError("No machine client with that code.")
                issued = services.rotate_secret(
                    actor=None, client=client, grace=dt.timedelta(hours=options["grace_hours"])
                )
            else:
                self.stdout.write(f"{services.expire_credentials()} credential(s) deleted")
                return
        except ClientError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"client_id={issued.client_id}")
        self.stdout.write(f"client_secret={issued.client_secret}")
        if issued.valid_until:
            self.stdout.write(f"previous credentials valid until {issued.valid_until.isoformat()}")
