from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The site assembly, above every app: landing and role home pages, the root URLs, and the
    commands that span apps (seed, demo, bench). Nothing below imports it."""

    name = "banhao.portal"
    verbose_name = _("Portal")
