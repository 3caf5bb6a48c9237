import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from banhao.accounts import services
from banhao.accounts.errors import AccountError
from banhao.accounts.identity import claim_digest
from banhao.accounts.models import IdentityClaim, IdentityConflict, User
from banhao.accounts.roles import Role
from banhao.audit.models import AuditRecord
from banhao.testing import (
    PASSWORD,
    department,
    make_user,
    valid_credit_code,
    valid_id_number,
    verify,
)

pytestmark = pytest.mark.django_db


def test_register_citizen_keeps_the_id_as_a_claim_and_audits():
    id_number = valid_id_number("19851203")
    user = services.register_citizen(
        username="zhang",
        password=PASSWORD,
        full_name="张伟",
        id_number=id_number.lower(),
        phone="138 0000 1234",
    )
    user.refresh_from_db()
    # A typed number is a claim: the account carries no identifier until verified.
    assert (user.role, user.id_number, user.phone) == (Role.CITIZEN, "", "13800001234")
    claim = IdentityClaim.objects.get(user=user)
    masked = id_number[:4] + "*" * 10 + id_number[-4:]
    assert (claim.kind, claim.state, claim.masked) == ("person", "pending", masked)
    assert claim.digest == claim_digest(id_number.upper())
    assert user.masked_phone == "138****1234"
    audit = AuditRecord.objects.get(event_type="account.registered")
    # The claimed number is not written to the audit trail in full.
    assert (audit.actor_id, audit.subject_key, audit.object_id, audit.extra) == (
        user.pk,
        "",
        str(user.pk),
        {"claim": masked},
    )
    verify(user, id_number)
    assert (user.id_number, user.masked_id_number) == (id_number.upper(), masked)


def test_register_citizen_refuses_a_bad_id_and_accepts_a_second_claim():
    with pytest.raises(ValidationError) as err:
        services.register_citizen(
            username="a", password=PASSWORD, full_name="甲", id_number="370323199001011230"
        )
    assert err.value.code in {"id_checksum"}
    assert not User.objects.filter(username="a").exists()
    id_number = valid_id_number()
    first = make_user(Role.CITIZEN, id_number=id_number, verified=False)
    # Claims are not unique: a squatter's claim never blocks the real holder.
    second = services.register_citizen(
        username="b", password=PASSWORD, full_name="乙", id_number=id_number
    )
    assert IdentityClaim.objects.filter(state="pending").count() == 2
    verify(second, id_number)
    assert IdentityClaim.objects.get(user=first).state == "voided"
    assert IdentityConflict.objects.get().claimant == first


def test_register_enterprise_validates_credit_code():
    code = valid_credit_code()
    user = services.register_enterprise(
        username="shop",
        password=PASSWORD,
        organisation_name="沂源县鲁山餐饮有限公司",
        credit_code=code,
    )
    assert user.credit_code == "" and user.role == Role.ENTERPRISE
    assert IdentityClaim.objects.get(user=user).kind == "enterprise"
    assert user.display_name == "沂源县鲁山餐饮有限公司"
    with pytest.raises(ValidationError) as err:
        services.register_enterprise(
            username="x",
            password=PASSWORD,
            organisation_name="X",
            credit_code=code[:-1] + ("0" if code[-1] != "0" else "1"),
        )
    assert err.value.code == "uscc_checksum"


def test_staff_must_belong_to_a_unit():
    with pytest.raises(AccountError) as err:
        services.create_staff(
            actor=None, username="h", password=PASSWORD, role=Role.DEPT_HANDLER, full_name="王"
        )
    assert err.value.code == "unit_required"
    # The database refuses it too, whatever code path tries.
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="raw", role=Role.WINDOW_CLERK)
    handler = make_user(Role.DEPT_HANDLER, department=department("县公安局"))
    assert handler.unit_label == "县公安局"


def test_weak_password_refused():
    with pytest.raises(ValidationError):
        services.register_citizen(
            username="weak", password="123", full_name="弱", id_number=valid_id_number()
        )
    assert not User.objects.filter(username="weak").exists()


def test_change_password_and_preferences_are_audited():
    user = make_user(Role.CITIZEN)
    services.change_password(user=user, new_password="Another-pass-2025")
    user.refresh_from_db()
    assert user.check_password("Another-pass-2025")
    services.set_display_preferences(user=user, large_text=True)
    services.set_display_preferences(user=user, large_text=True)  # no change, no record
    events = list(AuditRecord.objects.filter(actor=user).values_list("event_type", flat=True))
    assert events.count("account.password_changed") == 1
    assert events.count("account.preferences_changed") == 1
