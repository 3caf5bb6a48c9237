"""``banhao exchange scan``: import the exchange platform's files from the drop directory."""

from django.core.management.base import BaseCommand

from banhao.exchange import drop


class Command(BaseCommand):
    help = "Exchange platform: `scan` imports new files from BANHAO_EXCHANGE_DROP_DIR."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        scan = sub.add_parser("scan")
        scan.add_argument("--dir", help="another drop directory (default: the setting)")

    def handle(self, *args, action, **options):
        for scanned in drop.scan(options.get("dir")):
            self.stdout.write(f"{scanned.state}: {scanned.name}")
            self.stdout.write(f"  {scanned.report.splitlines()[0]}")
