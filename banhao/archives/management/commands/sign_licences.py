"""``banhao sign_licences``: sign licences recorded before electronic licences (or without a key)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from banhao.archives import services, signing


class Command(BaseCommand):
    help = "Sign every unsigned licence with the current key, one transaction per batch."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, **options):
        size = options["batch_size"]
        if not 1 <= size <= 10_000:
            raise CommandError("--batch-size must be between 1 and 10000")
        try:
            signed = services.sign_unsigned_licences(batch_size=size)
        except signing.NoSigningKey as exc:
            raise CommandError(f"{exc} (run: banhao licence_keys create)") from exc
        self.stdout.write(f"{signed} licences signed")
