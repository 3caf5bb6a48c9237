"""``banhao webhooks deliver [--loop]``: the dispatcher of outbound webhooks."""

import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from banhao.webhooks import services


class Command(BaseCommand):
    help = "Fan out outbound events and deliver due webhooks (once, or in a loop for a worker)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        deliver = sub.add_parser("deliver", help="send due deliveries")
        deliver.add_argument("--loop", action="store_true", help="keep running (a worker)")
        deliver.add_argument(
            "--interval", type=float, default=1.0, help="seconds to wait when nothing is due"
        )
        deliver.add_argument("--batch", type=int, default=50, help="deliveries per round")

    def handle(self, *args, action, loop=False, interval=1.0, batch=50, **options):
        batch = max(1, min(batch, 500))
        if not loop:
            total = 0
            while sent := services.deliver_due(limit=batch):
                total += sent
            self.stdout.write(f"sent {total}")
            return
        stopping = []
        # SIGTERM (systemd, docker stop) ends the loop after the current request.
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        http = services.client()
        try:
            while not stopping:
                close_old_connections()
                if not services.deliver_due(limit=batch, http=http):
                    time.sleep(max(0.05, interval))
        finally:
            http.close()
