"""The site's URLs: the portal's own pages, then every app's, the API and the admin."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve
from oauth2_provider import views as oauth

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
    # Machine clients' tokens (client-credentials grant only: DOT's authorisation and
    # application-management pages are not mounted).
    path(
        "oauth/",
        include(
            (
                [
                    path("token/", oauth.TokenView.as_view(), name="token"),
                    path("revoke/", oauth.RevokeTokenView.as_view(), name="revoke"),
                    path("introspect/", oauth.IntrospectTokenView.as_view(), name="introspect"),
                ],
                "oauth2_provider",
            )
        ),
    ),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
