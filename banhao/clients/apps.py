from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "banhao.clients"
    verbose_name = _("Machine clients")

    def ready(self) -> None:
        from celery.schedules import crontab

        from banhao.core import registry

        from . import tasks

        registry.contribute(
            jobs=[
                registry.PeriodicJob(
                    "clients-expire-credentials",
                    tasks.expire_credentials,
                    crontab(minute=15),
                    "delete machine-client credentials whose rotation grace period has ended",
                )
            ]
        )
