from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ArchivesConfig(AppConfig):
    name = "banhao.archives"
    verbose_name = _("Archives")

    def ready(self) -> None:
        from celery.schedules import crontab

        from banhao.core import registry
        from banhao.onething import events as onething_events

        from . import home, seed, selectors, services, tasks
        from .licence_types import invalidate
        from .models import LicenceType

        registry.contribute(
            seed=registry.SeedLoader(
                "archives",
                60,
                seed.seed_licence_types,
                lambda: {"licence_types": LicenceType.objects.count()},
            ),
            cards=home.CARDS,
            jobs=[
                registry.PeriodicJob(
                    "archives-renewal-reminders",
                    tasks.send_renewal_reminders,
                    crontab(hour=9, minute=0),
                    "remind licence holders 90, 30 and 7 days (per type) before expiry",
                )
            ],
        )

        # One-thing never imports the archives: it names its hooks (onething/events.py) and
        # the archives plug in. An approved licence is filed inside the approval's transaction.
        onething_events.on_task_approved(services.file_approved_task)
        onething_events.provide_form_prefill(selectors.form_prefill)
        onething_events.provide_material_records(selectors.material_records)

        # Cache invalidation only; no business rule lives in a signal. A saved service item
        # also clears it: a rebuilt catalogue (a fresh test database) may reuse item ids.
        for sender in (LicenceType, "catalog.ServiceItem"):
            post_save.connect(invalidate, sender=sender, dispatch_uid=f"archives_lt_s_{sender}")
            post_delete.connect(invalidate, sender=sender, dispatch_uid=f"archives_lt_d_{sender}")
