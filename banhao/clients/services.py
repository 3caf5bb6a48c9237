"""Every write of machine clients: creating one, rotating its secret, retiring old
credentials, logging its calls. Each in a transaction, audited (no secret is ever recorded)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import Application

from banhao.accounts.models import User
from banhao.accounts.roles import Role
from banhao.audit.models import AuditAction
from banhao.audit.services import record
from banhao.org.models import Department, Region

from . import errors
from .errors import ClientError
from .models import Credential, MachineCall, MachineClient
from .scopes import SCOPES, UNIT_SCOPES

CODE_RE = re.compile(r"[a-z0-9][a-z0-9-]{2,39}")
MAX_GRACE = dt.timedelta(days=30)
SERVICE_USER_PREFIX = "machine."


@dataclass(frozen=True)
class IssuedSecret:
    """A credential as handed to the calling system, once: the secret is stored hashed."""

    client_id: str
    client_secret: str
    valid_until: dt.datetime | None = None  # of the credential it replaces, if any


def _in_region(region: Region, inner: Region) -> bool:
    node: Region | None = inner
    while node is not None:
        if node.pk == region.pk:
            return True
        node = node.parent
    return False


def _check_scopes(scopes: list[str], department: Department | None) -> list[str]:
    for scope in scopes:
        if scope not in SCOPES:
            raise ClientError(errors.UNKNOWN_SCOPE, "scopes", scope=scope)
        if scope in UNIT_SCOPES and department is None:
            raise ClientError(errors.UNIT_REQUIRED, "scopes", scope=scope)
    return sorted(set(scopes))


def _issue(client: MachineClient) -> tuple[Credential, str]:
    secret = generate_client_secret()
    application = Application.objects.create(
        name=client.code,
        user=client.service_user,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,  # DOT hashes it on save (hash_client_secret)
        hash_client_secret=True,
    )
    return Credential.objects.create(client=client, application=application), secret


@transaction.atomic
def create_client(
    *,
    actor,
    code: str,
    name: str,
    scopes: list[str],
    name_en: str = "",
    department: Department | None = None,
    region: Region | None = None,
) -> tuple[MachineClient, IssuedSecret]:
    """Register a calling system and issue its first credential. Its service account is an
    inactive user (no password, never signs in, never counted as unit staff) of the client's
    department, as a department handler, so the one-thing services check its unit."""
    if not CODE_RE.fullmatch(code or ""):
        raise ClientError(errors.BAD_CODE, "code")
    if MachineClient.objects.filter(code=code).exists():
        raise ClientError(errors.CODE_TAKEN, "code", code=code)
    scopes = _check_scopes(list(scopes), department)
    if region is not None and department is not None and not _in_region(region, department.region):
        raise ClientError(errors.DEPARTMENT_OUTSIDE_REGION, "department")
    user = User(
        username=f"{SERVICE_USER_PREFIX}{code}",
        full_name=name[:100],
        role=Role.DEPT_HANDLER if department is not None else Role.CITIZEN,
        department=department,
        is_active=False,
    )
    user.set_unusable_password()
    user.save()
    client = MachineClient.objects.create(
        code=code,
        name=name[:100],
        name_en=name_en[:100],
        department=department,
        region=region,
        scopes=scopes,
        service_user=user,
    )
    credential, secret = _issue(client)
    record(
        actor=actor,
        action=AuditAction.CREATE,
        event_type="clients.created",
        obj=client,
        summary=f"machine client {code}",
        after={
            "code": code,
            "scopes": scopes,
            "department": department.pk if department else None,
            "region": region.pk if region else None,
            "client_id": credential.application.client_id,
        },
    )
    return client, IssuedSecret(credential.application.client_id, secret)


@transaction.atomic
def rotate_secret(
    *, actor, client: MachineClient, grace: dt.timedelta = dt.timedelta(days=7)
) -> IssuedSecret:
    """Issue a new credential; the current ones keep working for ``grace`` (0: stop now, and
    their tokens with them), so the calling system can switch without a gap."""
    if grace < dt.timedelta(0) or grace > MAX_GRACE:
        raise ClientError(errors.BAD_GRACE, "grace")
    client = MachineClient.objects.select_for_update().get(pk=client.pk)
    now = timezone.now()
    until = now + grace
    current = list(Credential.objects.filter(client=client).select_related("application"))
    for old in current:
        if old.valid_until is None or old.valid_until > until:
            old.valid_until = until
            old.save(update_fields=["valid_until"])
    retired = [c.application.client_id for c in current]
    if not grace:
        _delete([c.pk for c in current])
    credential, secret = _issue(client)
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        event_type="clients.secret_rotated",
        obj=client,
        summary=f"machine client {client.code}: new credential",
        after={
            "client_id": credential.application.client_id,
            "retiring": retired,
            "valid_until": until.isoformat(),
        },
    )
    return IssuedSecret(credential.application.client_id, secret, until if current else None)


def _delete(credential_ids: list[int]) -> int:
    # Deleting the DOT application deletes its tokens and, by cascade, the credential.
    apps = Application.objects.filter(machine_credential__pk__in=credential_ids)
    count = apps.count()
    apps.delete()
    return count


@transaction.atomic
def expire_credentials(*, now: dt.datetime | None = None) -> int:
    """Delete credentials whose grace period has ended (their tokens go with them)."""
    now = now or timezone.now()
    expired = list(
        Credential.objects.filter(valid_until__lte=now).values_list(
            "pk", "client_id", "client__code"
        )
    )
    if not expired:
        return 0
    count = _delete([pk for pk, _, _ in expired])
    for _pk, client_pk, code in expired:
        record(
            actor=None,
            action=AuditAction.DELETE,
            event_type="clients.credential_expired",
            object_type="clients.machineclient",
            object_id=str(client_pk),
            summary=f"machine client {code}: retired credential deleted",
        )
    return count


def record_call(
    *,
    client: MachineClient,
    client_id: str,
    scope: str,
    operation: str,
    object_id: str,
    outcome: str,
) -> MachineCall:
    """Log one API call. Written on its own (autocommit), before the operation runs, so a call
    that then fails is still on record."""
    return MachineCall.objects.create(
        client=client,
        client_id_used=client_id[:100],
        scope=scope[:40],
        operation=operation[:200],
        object_id=object_id[:64],
        outcome=outcome[:40],
    )
