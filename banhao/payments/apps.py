from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "banhao.payments"
    verbose_name = _("Payment convenience")

    def ready(self) -> None:
        from . import home  # noqa: F401  (registers the home cards)
