from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "banhao.hotline"
    verbose_name = _("12345 hotline")

    def ready(self) -> None:
        from celery.schedules import crontab
        from django.db.models.signals import post_delete, post_save

        from banhao.core import registry

        from . import home, indicators, models, open311, seed, tasks

        registry.contribute(
            seed=registry.SeedLoader(
                "hotline",
                50,
                seed.seed_hotline,
                lambda: {
                    "hotline_categories": models.Category.objects.count(),
                    "hotline_duty_lines": models.DutyAssignment.objects.count(),
                    "hotline_supervision_rules": models.SupervisionRule.objects.count(),
                },
            ),
            cards=home.CARDS,
            sources=indicators.SOURCES,
            jobs=[
                registry.PeriodicJob(
                    "hotline-supervision",
                    tasks.apply_supervision_rules,
                    crontab(minute=5),
                    "move overdue or stuck tickets up the supervision ladder",
                    order=20,
                ),
                registry.PeriodicJob(
                    "hotline-due-events",
                    tasks.report_due_tickets,
                    crontab(minute="*/15"),
                    "tell the units' systems about tickets whose deadline passed (webhooks)",
                    order=25,
                ),
                registry.PeriodicJob(
                    "hotline-retrain",
                    tasks.retrain_dispatch_model,
                    crontab(hour=2, minute=0),
                    "retrain the dispatch suggestion on handled tickets",
                ),
            ],
        )

        # The Open311 endpoint keeps matters and clients in memory; a change empties that copy.
        for model in (models.Category, models.Open311Client):
            for signal in (post_save, post_delete):
                signal.connect(
                    open311.reset_cache,
                    sender=model,
                    dispatch_uid=f"hotline-open311-{model.__name__}-{signal is post_save}",
                )
