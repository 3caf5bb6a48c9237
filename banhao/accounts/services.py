"""Every write to accounts: registration, staff creation, password and preference changes."""

from django.contrib.auth import password_validation
from django.db import transaction

from banhao.audit.models import AuditAction
from banhao.audit.services import record
from banhao.core.identifiers import clean_credit_code, clean_id_number, clean_mobile

from . import errors
from .models import User
from .roles import DEPARTMENT_ROLES, VENUE_ROLES, Role


@transaction.atomic
def register_citizen(
    *, username: str, password: str, full_name: str, id_number: str, phone: str = ""
) -> User:
    User.username_validator(username)
    id_number = clean_id_number(id_number)
    phone = clean_mobile(phone) if phone else ""
    if User.objects.filter(id_number=id_number).exists():
        raise errors.AccountError(errors.DUPLICATE_ID_NUMBER)
    user = User(
        username=username, role=Role.CITIZEN, full_name=full_name, id_number=id_number, phone=phone
    )
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save()
    record(
        actor=user,
        action=AuditAction.CREATE,
        event_type="account.registered",
        obj=user,
        subject_key=id_number,
        summary=f"citizen {username}",
    )
    return user


@transaction.atomic
def register_enterprise(
    *,
    username: str,
    password: str,
    organisation_name: str,
    credit_code: str,
    contact_name: str = "",
    phone: str = "",
) -> User:
    User.username_validator(username)
    credit_code = clean_credit_code(credit_code)
    phone = clean_mobile(phone) if phone else ""
    if User.objects.filter(credit_code=credit_code).exists():
        raise errors.AccountError(errors.DUPLICATE_CREDIT_CODE)
    user = User(
        username=username,
        role=Role.ENTERPRISE,
        organisation_name=organisation_name,
        full_name=contact_name,
        credit_code=credit_code,
        phone=phone,
    )
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save()
    record(
        actor=user,
        action=AuditAction.CREATE,
        event_type="account.registered",
        obj=user,
        subject_key=credit_code,
        summary=f"enterprise {username}",
    )
    return user


@transaction.atomic
def create_staff(
    *,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    full_name: str,
    department=None,
    venue=None,
    phone: str = "",
    validate_password: bool = True,
) -> User:
    role = Role(role)
    User.username_validator(username)
    if (role in DEPARTMENT_ROLES and department is None) or (role in VENUE_ROLES and venue is None):
        raise errors.AccountError(errors.UNIT_REQUIRED)
    user = User(
        username=username,
        role=role,
        full_name=full_name,
        department=department,
        venue=venue,
        phone=clean_mobile(phone) if phone else "",
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    if validate_password:
        password_validation.validate_password(password, user)
    user.set_password(password)
    user.save()
    record(
        actor=actor,
        action=AuditAction.CREATE,
        event_type="account.staff_created",
        obj=user,
        after={"role": role.value, "unit": user.unit_label},
        summary=f"{role.value} {username}",
    )
    return user


@transaction.atomic
def change_password(*, user: User, new_password: str) -> None:
    password_validation.validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    record(
        actor=user,
        action=AuditAction.PASSWORD_CHANGE,
        event_type="account.password_changed",
        obj=user,
    )


@transaction.atomic
def set_display_preferences(
    *, user: User, large_text: bool | None = None, language: str | None = None
):
    before = {"large_text": user.large_text, "language": user.preferred_language}
    fields = []
    if large_text is not None and large_text != user.large_text:
        user.large_text = large_text
        fields.append("large_text")
    if language is not None and language != user.preferred_language:
        user.preferred_language = language
        fields.append("preferred_language")
    if not fields:
        return
    user.save(update_fields=fields)
    record(
        actor=user,
        action=AuditAction.UPDATE,
        event_type="account.preferences_changed",
        obj=user,
        before=before,
        after={"large_text": user.large_text, "language": user.preferred_language},
    )


def record_login(*, user: User) -> None:
    record(actor=user, action=AuditAction.LOGIN, event_type="account.login", obj=user)


def record_logout(*, user: User) -> None:
    record(actor=user, action=AuditAction.LOGOUT, event_type="account.logout", obj=user)


def record_failed_login(*, username: str) -> None:
    record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        event_type="account.login_failed",
        summary=username[:150],
    )
