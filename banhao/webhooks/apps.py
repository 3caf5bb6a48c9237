from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "banhao.webhooks"
    verbose_name = _("Outbound webhooks")

    def ready(self) -> None:
        from celery.schedules import crontab

        from banhao.core import registry

        from . import tasks

        registry.contribute(
            jobs=[
                registry.PeriodicJob(
                    "webhooks-deliver",
                    tasks.deliver_due,
                    crontab(minute="*"),
                    "send due webhook deliveries (a `banhao webhooks deliver --loop` worker "
                    "sends them within a second)",
                    order=10,
                )
            ]
        )
