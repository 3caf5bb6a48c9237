from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "banhao.hotline"
    verbose_name = _("12345 hotline")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from . import (
            home,  # noqa: F401  (registers the home cards)
            open311,
        )
        from .models import Category, Open311Client

        # The Open311 endpoint keeps matters and clients in memory; a change empties that copy.
        for model in (Category, Open311Client):
            for signal in (post_save, post_delete):
                signal.connect(
                    open311.reset_cache,
                    sender=model,
                    dispatch_uid=f"hotline-open311-{model.__name__}-{signal is post_save}",
                )
