from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "banhao.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from banhao.core import registry

        from . import home

        registry.contribute(cards=home.CARDS)
