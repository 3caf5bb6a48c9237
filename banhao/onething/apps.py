from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnethingConfig(AppConfig):
    name = "banhao.onething"
    verbose_name = _("One-thing applications")

    def ready(self) -> None:
        from . import home  # noqa: F401 (registers the home cards)
