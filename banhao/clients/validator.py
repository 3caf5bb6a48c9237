"""DOT's request validator, refusing the grant to a credential past its rotation grace period
or of a deactivated client (``OAUTH2_PROVIDER["OAUTH2_VALIDATOR_CLASS"]``)."""

from django.utils import timezone
from oauth2_provider.oauth2_validators import OAuth2Validator

from .models import Credential


class ClientValidator(OAuth2Validator):
    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        if not super().validate_grant_type(client_id, grant_type, client, request, *args, **kwargs):
            return False
        credential = (
            Credential.objects.select_related("client").filter(application_id=client.pk).first()
        )
        return credential is not None and credential.is_usable(timezone.now())
