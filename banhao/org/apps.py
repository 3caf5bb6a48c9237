from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "banhao.org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from banhao.core import registry

        from . import models, seed

        registry.contribute(
            seed=registry.SeedLoader(
                "org",
                10,
                seed.seed_org,
                lambda: {
                    "regions": models.Region.objects.count(),
                    "departments": models.Department.objects.count(),
                    "department_aliases": models.DepartmentAlias.objects.count(),
                    "venues": models.Venue.objects.count(),
                },
            )
        )
