from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "banhao.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import checks, rows  # noqa: F401  (registers the system checks)

        connection_created.connect(rows.fast_times, dispatch_uid="banhao-core-fast-times")
