from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "banhao.catalog"
    verbose_name = _("Service catalogue")

    def ready(self) -> None:
        from banhao.core import registry

        from . import models, seed

        registry.contribute(
            seed=registry.SeedLoader(
                "catalog",
                20,
                seed.seed_catalog,
                lambda: {
                    "service_items": models.ServiceItem.objects.count(),
                    "onethings": models.OneThing.objects.count(),
                    "onething_items": models.OneThingItem.objects.count(),
                },
            )
        )
