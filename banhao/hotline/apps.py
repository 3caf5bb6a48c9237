from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "banhao.hotline"
    verbose_name = _("12345 hotline")

    def ready(self) -> None:
        from . import home  # noqa: F401  (registers the home cards)
