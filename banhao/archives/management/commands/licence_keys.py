"""``banhao licence_keys [status|create|rotate]``: the key that signs electronic licences."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from banhao.archives import services, signing
from banhao.archives.models import Licence, SigningKey


class Command(BaseCommand):
    help = (
        "Show, create or rotate the licence signing key (ECDSA P-256). The private key is the "
        "file BANHAO_LICENCE_KEY_FILE; public keys stay in the database, so licences signed "
        "before a rotation still verify. Key material is never printed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action", nargs="?", default="status", choices=["status", "create", "rotate"]
        )

    def handle(self, *args, **options):
        action = options["action"]
        if action == "status":
            try:
                current = signing.current_signer().key_id if signing.key_path().exists() else None
            except signing.NoSigningKey as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"key file: {signing.key_path()}")
            self.stdout.write(f"current key: {current or 'none (run: banhao licence_keys create)'}")
            for key in SigningKey.objects.order_by("created_at"):
                state = "retired" if key.retired_at else "active"
                signed = Licence.objects.filter(key_id=key.key_id).count()
                self.stdout.write(f"  {key.key_id} {key.algorithm} {state}, {signed} licences")
            unsigned = Licence.objects.filter(token__isnull=True).count()
            self.stdout.write(f"unsigned licences: {unsigned}")
            return
        try:
            key_id, written = services.create_signing_key(rotate=action == "rotate")
        except (OSError, signing.NoSigningKey) as exc:
            raise CommandError(str(exc)) from exc
        if written:
            self.stdout.write(f"{'rotated to' if action == 'rotate' else 'created'} key {key_id}")
        else:
            self.stdout.write(f"a key exists already: {key_id} (use rotate to replace it)")
