"""``banhao hotline_supervise``: apply the supervision rules now (run hourly by cron or beat)."""

from django.core.management.base import BaseCommand

from banhao.hotline.services.supervision import apply_supervision_rules


class Command(BaseCommand):
    help = "Raise overdue, repeatedly reopened and long-open tickets up the supervision ladder."

    def handle(self, *args, **options) -> None:
        moved = apply_supervision_rules()
        self.stdout.write(f"{moved} tickets moved up the supervision ladder.")
