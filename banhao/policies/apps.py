from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "banhao.policies"
    verbose_name = _("Enterprise policies")

    def ready(self) -> None:
        from . import home  # noqa: F401  (registers the home cards)
