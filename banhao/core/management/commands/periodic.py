from django.core.management.base import BaseCommand, CommandError

from banhao.core.registry import periodic_jobs


class Command(BaseCommand):
    help = "Run the periodic jobs now (all, or those named). For cron in the embedded setup."

    def add_arguments(self, parser):
        parser.add_argument("jobs", nargs="*", help=f"Job names: {', '.join(periodic_jobs.keys())}")

    def handle(self, *args, jobs, **options):
        known = periodic_jobs.keys()
        unknown = set(jobs) - set(known)
        if unknown:
            raise CommandError(
                f"Unknown job(s): {', '.join(sorted(unknown))}. Known: {', '.join(known)}"
            )
        for name in jobs or known:
            job = periodic_jobs.get(name)
            result = job.task()
            self.stdout.write(f"{name:<26} {job.description}: {result}")
