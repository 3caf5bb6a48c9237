"""``manage.py seed`` / ``banhao seed``: load the data transcribed from the gazette."""

from django.core.management.base import BaseCommand

from banhao.portal import seeding


class Command(BaseCommand):
    help = (
        "Load the seed data transcribed from the county gazette: regions, departments, venues, "
        "one-things and their items, key tasks and payment targets. Safe to run again: rows are "
        "matched by natural keys and only changed rows are written."
    )

    def handle(self, *args, **options):
        seeding.run_all(stdout=self.stdout)
