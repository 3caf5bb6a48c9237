from django.core.management.base import BaseCommand

from banhao.ledger import tasks


class Command(BaseCommand):
    help = "Chase late progress reports and send deadline reminders (run once a day)."

    def handle(self, *args, **options):
        result = tasks.daily()
        self.stdout.write(f"chased {result['chased']}, reminded {result['reminded']}\n")
