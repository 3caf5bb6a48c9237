"""The versioned HTTP API. Each app contributes a router; the schema is at /api/schema/."""

from ninja import NinjaAPI
from ninja.security import django_auth

from banhao.accounts.api import router as accounts_router
from banhao.catalog.api import router as catalog_router
from banhao.notifications.api import router as notifications_router

api = NinjaAPI(
    title="Banhao API",
    version="1",
    description="HTTP API of Banhao (办好). Session authentication; CSRF token required for writes.",
    openapi_url="/schema/",
    docs_url="/docs/",
    auth=django_auth,
    urls_namespace="api",
)
api.add_router("/v1/accounts/", accounts_router)
api.add_router("/v1/catalog/", catalog_router)
api.add_router("/v1/notifications/", notifications_router)
