"""Real-name identity (issue 18 item 1): a typed ID number or credit code is a claim that opens
nothing; the archive, its prefill and its grants open once a window clerk (or the unified login)
has verified the identity. Real HTTP through the test client, data set up by the real services.
"""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from banhao.accounts import services
from banhao.accounts.demo import load_demo_accounts
from banhao.accounts.errors import AccountError
from banhao.accounts.identity import AssuranceLevel, ClaimState, holder_key
from banhao.accounts.models import IdentityClaim, IdentityConflict, IdentityVerification, User
from banhao.accounts.roles import Role
from banhao.archives.demo import _spouse_id, load_demo_archives
from banhao.archives.models import BenefitSource, Enterprise, Person
from banhao.archives.services import record_benefit
from banhao.audit.models import AuditRecord
from banhao.notifications.models import Notification
from banhao.onething import services as onething
from banhao.onething.models import Application
from banhao.onething.tests.factories import NEWBORN_ANSWERS
from banhao.portal.seeding import run_all
from banhao.testing import PASSWORD, make_user, valid_credit_code, valid_id_number

pytestmark = pytest.mark.django_db

ENTERPRISE_CHANGE = 1  # 企业信息变更“一件事”
NEWBORN = 9


@pytest.fixture
def demo(db):
    """The demo world: the demo citizen 张明 (verified in person by the demo clerk), his wife
    李秀英 (an archive, no account), the demo enterprise (verified; 李秀英 is its legal
    representative) with a benefit."""
    from banhao.archives.licence_types import invalidate

    invalidate()
    run_all()
    load_demo_accounts()
    load_demo_archives()
    firm = Enterprise.objects.get(credit_code=User.objects.get(username="enterprise").credit_code)
    record_benefit(
        actor=None,
        title="小微企业稳岗返还",
        granted_on=dt.date(2026, 3, 1),
        source=BenefitSource.IMPORT,
        enterprise=firm,
    )
    yield {
        "citizen": User.objects.get(username="citizen"),
        "enterprise": User.objects.get(username="enterprise"),
        "spouse": Person.objects.get(id_number=_spouse_id()),
        "firm": firm,
    }
    invalidate()


def _client(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.get(username=username))
    return client


def _register_citizen(client: Client, username: str, full_name: str, id_number: str):
    return client.post(
        reverse("accounts:register_citizen"),
        {
            "username": username,
            "password": PASSWORD,
            "password_again": PASSWORD,
            "full_name": full_name,
            "id_number": id_number,
        },
    )


def _register_enterprise(client: Client, username: str, name: str, credit_code: str):
    return client.post(
        reverse("accounts:register_enterprise"),
        {
            "username": username,
            "password": PASSWORD,
            "password_again": PASSWORD,
            "organisation_name": name,
            "credit_code": credit_code,
            "contact_name": "王五",
        },
    )


def _form_page(client: Client, user: User, number: int, answers: dict) -> str:
    """Start a one-thing over HTTP, answer its questions, and return its form page."""
    response = client.post(reverse("onething:start", args=[number]))
    assert response.status_code == 302, response.content.decode()[:500]
    application = Application.objects.filter(created_by=user).latest("pk")
    onething.save_answers(actor=user, application_id=application.pk, answers=answers)
    response = client.get(reverse("onething:form", args=[application.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _clerk_verifies(clerk: Client, username: str, data: dict):
    found = clerk.get(reverse("accounts:verify_find"), {"username": username})
    assert found.status_code == 302
    page = clerk.get(found.url)
    assert page.status_code == 200
    return page, clerk.post(found.url, data)


# --- the attack ---------------------------------------------------------------------------------


def test_registering_with_the_spouses_id_opens_nothing(demo):
    spouse, husband = demo["spouse"], demo["citizen"]
    squatter = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = _register_citizen(squatter, "squatter", "李秀英", spouse.id_number)
    assert response.status_code == 302  # registered: a claim is accepted, and opens nothing
    user = User.objects.get(username="squatter")
    assert (user.id_number, holder_key(user)) == ("", "")
    claim = IdentityClaim.objects.get(user=user)
    assert (claim.state, claim.masked) == (
        ClaimState.PENDING,
        spouse.id_number[:4] + "*" * 10 + spouse.id_number[-4:],
    )
    assert spouse.id_number not in claim.digest

    page = squatter.get(reverse("archives:mine"))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="verify-first"' in body
    assert 'data-testid="archive"' not in body
    for secret in (spouse.id_number, husband.id_number, "张明", "沂源县南麻街道振兴路12号"):
        assert secret not in body
    assert squatter.get("/api/v1/archives/mine").status_code == 404
    assert squatter.get("/api/v1/accounts/me/").json()["id_number"] == ""

    # The newborn form is not prefilled from her archive (nor her husband's).
    form = _form_page(squatter, user, NEWBORN, NEWBORN_ANSWERS)
    assert "prefilled-" not in form
    for secret in (spouse.id_number, husband.id_number, "张明", "J370323-2016-000456"):
        assert secret not in form


def test_registering_with_a_public_credit_code_opens_no_archive_prefill_or_grants(demo):
    firm, legal_rep = demo["firm"], demo["spouse"]
    squatter = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = _register_enterprise(squatter, "firmsquat", "冒名公司", firm.credit_code)
    assert response.status_code == 302
    user = User.objects.get(username="firmsquat")
    assert (user.credit_code, holder_key(user)) == ("", "")

    body = squatter.get(reverse("archives:mine")).content.decode()
    assert 'data-testid="verify-first"' in body
    assert firm.name not in body and "小微企业稳岗返还" not in body
    grants = squatter.get(reverse("policies:for_me"))
    assert grants.status_code == 200
    grants = grants.content.decode()
    assert 'data-testid="verify-first"' in grants
    assert "小微企业稳岗返还" not in grants and 'data-testid="qualifying"' not in grants
    assert squatter.get("/api/v1/policies/for-me").status_code == 404
    # 企业信息变更: the legal representative's full ID is not prefilled.
    form = _form_page(squatter, user, ENTERPRISE_CHANGE, {"change_kind": "legal_rep"})
    assert legal_rep.id_number not in form
    assert firm.credit_code not in form and "prefilled-" not in form

    # The demo enterprise already holds this identity verified: the claim is voided and
    # flagged at once (the registrant is not told), and the holder keeps its archive.
    conflict = IdentityConflict.objects.get(claimant=user)
    assert (conflict.holder, conflict.claim.state) == (demo["enterprise"], ClaimState.VOIDED)
    holder_page = _client("enterprise").get(reverse("policies:for_me")).content.decode()
    assert "小微企业稳岗返还" in holder_page


def test_the_real_holder_registers_verifies_in_person_and_the_squatter_is_flagged(demo):
    spouse = demo["spouse"]
    squatter = Client(HTTP_ACCEPT_LANGUAGE="en")
    _register_citizen(squatter, "squatter", "李秀英", spouse.id_number)
    # The real holder is not blocked by the claim.
    holder = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert _register_citizen(holder, "lixiuying", "李秀英", spouse.id_number).status_code == 302
    assert 'data-testid="verify-first"' in holder.get(reverse("archives:mine")).content.decode()

    clerk = _client("clerk")
    page, response = _clerk_verifies(
        clerk,
        "lixiuying",
        {"document_type": "resident_id_card", "document_number": spouse.id_number},
    )
    # The clerk sees the account masked, never the full number, and no number in the URL.
    assert spouse.id_number not in page.content.decode()
    assert "李*英" in page.content.decode()
    assert response.status_code == 302, response.content.decode()[:800]
    assert spouse.id_number not in response.url

    real = User.objects.get(username="lixiuying")
    assert (real.id_number, real.identity_method, real.identity_assurance) == (
        spouse.id_number,
        "in_person",
        AssuranceLevel.HIGH,
    )
    verification = IdentityVerification.objects.get(user=real)
    clerk_user = User.objects.get(username="clerk")
    assert (verification.verified_by, verification.venue, verification.document_type) == (
        clerk_user,
        clerk_user.venue,
        "resident_id_card",
    )
    audit = AuditRecord.objects.get(event_type="account.identity_verified", object_id=str(real.pk))
    assert (audit.actor_id, audit.actor_role, audit.extra["method"]) == (
        clerk_user.pk,
        "window_clerk",
        "in_person",
    )

    body = holder.get(reverse("archives:mine")).content.decode()
    assert 'data-testid="archive"' in body and "李秀英" in body
    assert spouse.id_number in body  # the holder sees her own number in full

    # The squatter's claim is voided and flagged for the security administrator.
    squatter_user = User.objects.get(username="squatter")
    conflict = IdentityConflict.objects.get(claimant=squatter_user)
    assert (conflict.holder, conflict.claim.state, conflict.reviewed_at) == (
        real,
        ClaimState.VOIDED,
        None,
    )
    assert AuditRecord.objects.filter(
        event_type="account.identity_claim_voided", object_id=str(conflict.pk)
    ).exists()
    note = Notification.objects.get(recipient__username="admin", kind="identity_conflict")
    assert "squatter" in note.body and spouse.id_number not in note.body
    assert 'data-testid="archive"' not in squatter.get(reverse("archives:mine")).content.decode()

    # The administrator lists it in the admin and marks it reviewed (audited).
    admin = _client("admin")
    listing = admin.get(reverse("admin:accounts_identityconflict_changelist"))
    assert listing.status_code == 200 and "squatter" in listing.content.decode()
    admin.post(
        reverse("admin:accounts_identityconflict_changelist"),
        {"action": "mark_reviewed", "_selected_action": [conflict.pk]},
    )
    conflict.refresh_from_db()
    assert conflict.reviewed_by.username == "admin"
    assert AuditRecord.objects.filter(event_type="account.identity_conflict_reviewed").exists()


def test_a_document_that_is_not_the_claim_changes_nothing(demo):
    spouse = demo["spouse"]
    _register_citizen(Client(), "squatter", "李秀英", spouse.id_number)
    # The squatter comes to the window with their own card: it is not the claimed number.
    _page, response = _clerk_verifies(
        _client("clerk"),
        "squatter",
        {"document_type": "resident_id_card", "document_number": valid_id_number(serial=888)},
    )
    assert response.status_code == 400
    assert "not the one this account registered with" in response.content.decode()
    user = User.objects.get(username="squatter")
    assert (user.id_number, user.identity_verified_at) == ("", None)
    assert not IdentityVerification.objects.filter(user=user).exists()
    assert not AuditRecord.objects.filter(
        event_type="account.identity_verified", object_id=str(user.pk)
    ).exists()


def test_enterprise_verification_records_the_persons_authority(demo):
    code = valid_credit_code()
    firm = make_user(Role.ENTERPRISE, "newfirm", credit_code=code, verified=False)
    clerk = _client("clerk")
    _page, missing = _clerk_verifies(
        clerk, "newfirm", {"document_type": "business_licence", "document_number": code}
    )
    assert missing.status_code == 400
    assert not IdentityVerification.objects.filter(user=firm).exists()
    _page, response = _clerk_verifies(
        clerk,
        "newfirm",
        {
            "document_type": "business_licence",
            "document_number": code,
            "authority": "authorised_agent",
            "acting_person": "赵代理",
        },
    )
    assert response.status_code == 302
    verification = IdentityVerification.objects.get(user=firm)
    assert (verification.authority, verification.acting_person) == ("authorised_agent", "赵代理")
    assert User.objects.get(pk=firm.pk).credit_code == code


# --- who may verify -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "status"),
    [
        (None, 302),  # anonymous: to the login page
        ("citizen", 403),
        ("enterprise", 403),
        ("handler", 403),
        ("head", 403),
        ("operator", 403),
        ("leader", 403),
        ("admin", 403),
        ("clerk", 200),
    ],
)
def test_only_a_window_clerk_may_verify(demo, username, status):
    target = make_user(
        Role.CITIZEN, "target", id_number=valid_id_number(serial=555), verified=False
    )
    client = _client(username) if username else Client()
    assert client.get(reverse("accounts:verify_find")).status_code == status
    assert client.get(reverse("accounts:verify", args=[target.pk])).status_code == status
    response = client.post(
        reverse("accounts:verify", args=[target.pk]),
        {"document_type": "resident_id_card", "document_number": valid_id_number(serial=555)},
    )
    target.refresh_from_db()
    if username == "clerk":
        assert response.status_code == 302 and target.id_number == valid_id_number(serial=555)
    else:
        assert response.status_code in {302, 403} and response.status_code == status
        if status == 302:
            assert "/accounts/login/" in response.url
        assert (target.id_number, target.identity_verified_at) == ("", None)
        assert not IdentityVerification.objects.filter(user=target).exists()


def test_the_service_refuses_non_clerks_and_weak_assurance(demo):
    target = make_user(Role.CITIZEN, id_number=valid_id_number(serial=556), verified=False)
    handler = User.objects.get(username="handler")
    with pytest.raises(AccountError) as err:
        services.verify_in_person(
            clerk=handler,
            user=target,
            document_type="resident_id_card",
            document_number=valid_id_number(serial=556),
        )
    assert err.value.code == "not_a_verifier"
    with pytest.raises(AccountError) as err:
        services.verify_identity(
            target,
            identifier=valid_id_number(serial=556),
            method="oidc",
            assurance=AssuranceLevel.LOW,
        )
    assert err.value.code == "low_assurance"
    target.refresh_from_db()
    assert target.identity_verified_at is None


def test_unified_login_path_verifies_without_a_clerk(demo):
    # What the OIDC callback will call with the provider's verified claims.
    target = make_user(Role.CITIZEN, id_number=valid_id_number(serial=557), verified=False)
    verification = services.verify_identity(
        target,
        identifier=valid_id_number(serial=557),
        method="oidc",
        assurance=AssuranceLevel.SUBSTANTIAL,
    )
    target.refresh_from_db()
    assert (verification.method, verification.verified_by, target.identity_method) == (
        "oidc",
        None,
        "oidc",
    )
    assert holder_key(target) == valid_id_number(serial=557)


def test_one_verified_account_per_identity_in_the_database(demo):
    other = make_user(Role.CITIZEN, verified=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=other.pk).update(
            id_number=demo["citizen"].id_number, identity_verified_at=dt.datetime.now(dt.UTC)
        )
    # An identifier without verification is refused as well.
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=other.pk).update(id_number=valid_id_number(serial=558))
    # And the service says why when the identity is already verified elsewhere.
    with pytest.raises(AccountError) as err:
        services.verify_identity(
            other,
            identifier=demo["citizen"].id_number,
            method="oidc",
            assurance=AssuranceLevel.HIGH,
        )
    assert err.value.code == "identity_taken"


def test_the_clerks_home_links_to_verification(demo):
    from banhao.portal.views import cards_for

    verify_url = reverse("accounts:verify_find")
    assert verify_url in [c["url"] for c in cards_for(User.objects.get(username="clerk"))]
    for other in ("handler", "citizen", "admin"):
        assert verify_url not in [c["url"] for c in cards_for(User.objects.get(username=other))]
