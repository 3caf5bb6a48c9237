from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "banhao.policies"
    verbose_name = _("Enterprise policies")

    def ready(self) -> None:
        from celery.schedules import crontab

        from banhao.core import registry

        from . import home, tasks

        registry.contribute(
            cards=home.CARDS,
            jobs=[
                registry.PeriodicJob(
                    "policies-match",
                    tasks.match_all,
                    crontab(hour=3, minute=30),
                    "match enterprises against live policies, tell them once, make 免申即享 grants",
                )
            ],
        )
