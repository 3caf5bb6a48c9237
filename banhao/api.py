"""The versioned HTTP API. Each app contributes a router; the schema is at /api/schema/.

Every refusal answers with one shape, ``{"code", "message", "field", "problems"}``
(``banhao.core.api``): handlers raise the app's ``DomainError`` and never catch it.
"""

from ninja.security import django_auth

from banhao.accounts.api import router as accounts_router
from banhao.archives.api import router as archives_router
from banhao.catalog.api import router as catalog_router
from banhao.core.api import BanhaoAPI
from banhao.exchange.api import router as exchange_router
from banhao.hotline.api import router as hotline_router
from banhao.ledger.api import router as ledger_router
from banhao.notifications.api import router as notifications_router
from banhao.onething.api import machine_router as onething_machine_router
from banhao.onething.api import router as onething_router
from banhao.payments.api import router as payments_router
from banhao.policies.api import router as policies_router

api = BanhaoAPI(
    title="Banhao API",
    version="1",
    description=(
        "HTTP API of Banhao (办好). Session authentication; CSRF token required for writes. "
        "Machine clients (department systems, the city and province platforms) call the "
        "`machine:` operations with an OAuth2 client-credentials token from /oauth/token/ "
        "instead (no CSRF), each operation needing its scope. "
        "Every error answers with one shape: `code` (stable, for programs), `message` (in the "
        "request's language), `field` (the input it is about, or null) and `problems` (every "
        "problem at once, when there are several)."
    ),
    openapi_url="/schema/",
    docs_url="/docs/",
    auth=django_auth,
    urls_namespace="api",
)
api.add_router("/v1/accounts/", accounts_router)
api.add_router("/v1/catalog/", catalog_router)
api.add_router("/v1/notifications/", notifications_router)
api.add_router("/v1/onething/", onething_router)
api.add_router("/v1/hotline/", hotline_router)
api.add_router("/v1/ledger/", ledger_router)
api.add_router("/v1/payments/", payments_router)
api.add_router("/v1/archives/", archives_router)
api.add_router("/v1/policies/", policies_router)
# Machine clients (OAuth2 client credentials; banhao.clients).
api.add_router("/v1/machine/onething/", onething_machine_router)
api.add_router("/v1/machine/exchange/", exchange_router)
