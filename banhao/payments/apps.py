from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "banhao.payments"
    verbose_name = _("Payment convenience")

    def ready(self) -> None:
        from celery.schedules import crontab

        from banhao.core import registry

        from . import home, indicators, models, seed, tasks

        registry.contribute(
            seed=registry.SeedLoader(
                "payments",
                40,
                seed.seed_payment_targets,
                lambda: {"payment_targets": models.PaymentTarget.objects.count()},
            ),
            cards=home.CARDS,
            sources=indicators.SOURCES,
            jobs=[
                registry.PeriodicJob(
                    "payments-hand-off",
                    tasks.hand_off_pending_reports,
                    crontab(minute="*/10"),
                    "retry payment problem reports the hotline could not take yet",
                    order=10,
                )
            ],
        )
