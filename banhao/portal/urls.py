"""The site's URLs: the portal's own pages, then every app's, the API and the admin."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from banhao.api import api

from . import views

pages = (
    [
        path("", views.home, name="home"),
        path("prefs/large-text/", views.toggle_large_text, name="large_text"),
        path("prefs/language/", views.set_language, name="set_language"),
    ],
    "portal",
)

urlpatterns = [
    path("", include(pages)),
    path("accounts/", include("banhao.accounts.urls")),
    path("sso/", include("banhao.sso.urls")),
    path("audit/", include("banhao.audit.urls")),
    path("notifications/", include("banhao.notifications.urls")),
    path("services/", include("banhao.onething.urls")),
    path("hotline/", include("banhao.hotline.urls")),
    path("open311/v2/", include("banhao.hotline.open311_urls")),
    path("ledger/", include("banhao.ledger.urls")),
    path("pay/", include("banhao.payments.urls")),
    path("archives/", include("banhao.archives.urls")),
    path("policies/", include("banhao.policies.urls")),
    path("webhooks/", include("banhao.webhooks.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
