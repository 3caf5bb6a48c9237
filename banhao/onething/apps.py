from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnethingConfig(AppConfig):
    name = "banhao.onething"
    verbose_name = _("One-thing applications")

    def ready(self) -> None:
        from celery.schedules import crontab

        from banhao.core import registry

        from . import home, indicators, tasks

        registry.contribute(
            cards=home.CARDS,
            sources=indicators.SOURCES,
            jobs=[
                registry.PeriodicJob(
                    "onething-deadlines",
                    tasks.notify_deadlines,
                    crontab(minute=15),
                    "warn handlers before task deadlines, flag overdue tasks",
                    order=30,
                )
            ],
        )
