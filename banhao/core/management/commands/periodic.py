from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from banhao.core.periodic import JOBS


class Command(BaseCommand):
    help = "Run the periodic jobs now (all, or those named). For cron in the embedded setup."

    def add_arguments(self, parser):
        parser.add_argument("jobs", nargs="*", help=f"Job names: {', '.join(JOBS)}")

    def handle(self, *args, jobs, **options):
        unknown = set(jobs) - set(JOBS)
        if unknown:
            raise CommandError(
                f"Unknown job(s): {', '.join(sorted(unknown))}. Known: {', '.join(JOBS)}"
            )
        for name in jobs or JOBS:
            task_path, _schedule, doc = JOBS[name]
            result = import_string(task_path)()
            self.stdout.write(f"{name:<22} {doc}: {result}")
