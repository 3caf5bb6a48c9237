from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "banhao.exchange"
    verbose_name = _("Data exchange")

    def ready(self) -> None:
        from celery.schedules import crontab

        from banhao.core import registry

        from . import tasks

        registry.contribute(
            jobs=[
                registry.PeriodicJob(
                    "exchange-scan-drop",
                    tasks.scan_drop,
                    crontab(minute="*/10"),
                    "import the exchange platform's files from the drop directory",
                )
            ]
        )
