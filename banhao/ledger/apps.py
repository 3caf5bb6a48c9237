from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "banhao.ledger"
    verbose_name = _("Key-task ledger")

    def ready(self) -> None:
        from . import home  # noqa: F401  (registers the home cards)
