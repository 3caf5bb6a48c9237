"""The OpenID Connect client (Authlib), built from the settings and kept while they hold.

Authlib reads the provider's discovery document once per client, checks the ID token's
signature, issuer, audience, expiry and nonce, and sends PKCE (S256) with every request.
"""

from functools import lru_cache

from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings


def enabled() -> bool:
    return bool(settings.BANHAO_OIDC_ISSUER)


def client() -> DjangoOAuth2App:
    return _client(
        settings.BANHAO_OIDC_ISSUER,
        settings.BANHAO_OIDC_CLIENT_ID,
        settings.BANHAO_OIDC_CLIENT_SECRET,
        settings.BANHAO_OIDC_SCOPES,
    )


@lru_cache(maxsize=4)
def _client(issuer: str, client_id: str, client_secret: str, scopes: str) -> DjangoOAuth2App:
    oauth = OAuth()
    return oauth.register(
        "province",
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": scopes, "code_challenge_method": "S256", "timeout": 10},
    )
