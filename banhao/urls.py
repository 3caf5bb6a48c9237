from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from banhao.api import api

urlpatterns = [
    path("", include("banhao.core.urls")),
    path("accounts/", include("banhao.accounts.urls")),
    path("audit/", include("banhao.audit.urls")),
    path("notifications/", include("banhao.notifications.urls")),
    path("services/", include("banhao.onething.urls")),
    path("hotline/", include("banhao.hotline.urls")),
    path("open311/v2/", include("banhao.hotline.open311_urls")),
    path("ledger/", include("banhao.ledger.urls")),
    path("pay/", include("banhao.payments.urls")),
    path("archives/", include("banhao.archives.urls")),
    path("policies/", include("banhao.policies.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
