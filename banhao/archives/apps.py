from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ArchivesConfig(AppConfig):
    name = "banhao.archives"
    verbose_name = _("Archives")

    def ready(self) -> None:
        from . import home  # noqa: F401  (registers the home cards)
        from .licence_types import invalidate
        from .models import LicenceType

        # Cache invalidation only; no business rule lives in a signal. A saved service item
        # also clears it: a rebuilt catalogue (a fresh test database) may reuse item ids.
        for sender in (LicenceType, "catalog.ServiceItem"):
            post_save.connect(invalidate, sender=sender, dispatch_uid=f"archives_lt_s_{sender}")
            post_delete.connect(invalidate, sender=sender, dispatch_uid=f"archives_lt_d_{sender}")
