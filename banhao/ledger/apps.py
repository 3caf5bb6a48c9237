from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "banhao.ledger"
    verbose_name = _("Key-task ledger")

    def ready(self) -> None:
        from celery.schedules import crontab

        from banhao.core import registry

        from . import home, indicators, models, seed, tasks

        registry.contribute(
            seed=registry.SeedLoader(
                "ledger",
                30,
                seed.seed_key_tasks,
                lambda: {
                    "key_tasks": models.KeyTask.objects.count(),
                    "key_task_lead_units": models.KeyTaskLeadUnit.objects.count(),
                    "measures": models.KeyTaskMeasure.objects.count(),
                    "ledger_tasks": models.LedgerTask.objects.count(),
                },
            ),
            cards=home.CARDS,
            sources=indicators.SOURCES,
            jobs=[
                registry.PeriodicJob(
                    "ledger-daily",
                    tasks.daily,
                    crontab(hour=8, minute=30),
                    "chase late progress reports, remind units before deadlines",
                )
            ],
        )
