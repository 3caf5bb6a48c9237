"""Electronic licences (ADR 0016): signed on issue, verified publicly by an opaque token,
rotation keeps old signatures valid, revocation by the issuing department only."""

import datetime as dt
import os
import stat

import pytest
from django.core.management import call_command
from django.urls import reverse

from banhao.accounts.roles import Role
from banhao.archives import selectors, services, signing
from banhao.archives.errors import ArchiveError
from banhao.archives.models import (
    Licence,
    LicenceSource,
    LicenceState,
    LicenceType,
    SigningKey,
)
from banhao.audit.models import AuditRecord
from banhao.notifications.models import Notification
from banhao.org.models import Department
from banhao.testing import county, enterprise_archive, make_user, person_archive

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def key_file(settings, tmp_path):
    """Each test signs with its own key file; the process cache starts empty."""
    settings.BANHAO_LICENCE_KEY_FILE = tmp_path / "keys" / "licence.pem"
    settings.BANHAO_LICENCE_KEY_AUTOCREATE = True
    signing.forget_key()
    signing._public_keys.clear()
    yield settings.BANHAO_LICENCE_KEY_FILE
    signing.forget_key()
    signing._public_keys.clear()


@pytest.fixture
def units():
    region = county()
    civil = Department.objects.create(
        name="县民政局", name_en="County Civil Affairs Bureau", level="county", region=region
    )
    market = Department.objects.create(
        name="县市场监督管理局",
        name_en="County Market Supervision Bureau",
        level="county",
        region=region,
    )
    return civil, market


@pytest.fixture
def types(units):
    civil, market = units
    birth = LicenceType.objects.create(
        code="birth_registration",
        name="出生登记",
        name_en="Birth registration",
        department=civil,
        number_identifies_holder=True,
    )
    food = LicenceType.objects.create(
        code="food_business_licence",
        name="食品经营许可证",
        name_en="Food business licence",
        department=market,
        validity_days=1826,
    )
    return birth, food


def _issue(licence_type, holder, number="JY23703230012345", **extra) -> Licence:
    field = "person" if hasattr(holder, "id_number") else "enterprise"
    return services.issue_licence(
        actor=None,
        licence_type=licence_type,
        number=number,
        issued_on=dt.date(2026, 1, 5),
        source=LicenceSource.MANUAL,
        **{field: holder},
        **extra,
    )


def test_issued_licence_is_signed_and_verifies(types, key_file):
    birth, _food = types
    child = person_archive(name="王小明")
    licence = _issue(birth, child, number=child.id_number)
    stored = Licence.objects.get(pk=licence.pk)
    assert stored.issuer_id == birth.department_id
    assert stored.signature_algorithm == "ecdsa-p256-sha256"
    assert stored.key_id == signing.current_signer().key_id
    assert len(stored.token) == 22 and stored.signature
    # The key file was created on first use, readable by its owner only.
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    # The signed content names the holder by a keyed digest, never the ID number itself.
    content = signing.canonical(stored).decode()
    assert child.id_number not in content.replace(f'"number":"{child.id_number}"', "")
    check = selectors.licence_check(stored.token)
    assert check.genuine is True
    assert check.standing == selectors.Standing.CURRENT
    assert check.holder == "王*明"
    assert check.number == child.id_number[:4] + "*" * 10 + child.id_number[-4:]


def test_changing_any_signed_field_in_the_database_breaks_the_signature(types, units):
    birth, food = types
    civil, _market = units
    firm = enterprise_archive()
    other = enterprise_archive()
    licence = _issue(food, firm)
    tampered = {
        "number": "JY23703230099999",
        "issued_on": dt.date(2026, 1, 6),
        "expires_on": dt.date(2040, 1, 1),
        "enterprise": other,
        "issuer": civil,
        "licence_type": birth,
        "holder_salt": "0" * 32,
        "key_id": "0123456789abcdef",
        "signature_algorithm": "ecdsa-p384-sha384",
    }
    for field, value in tampered.items():
        original = Licence.objects.filter(pk=licence.pk).values(field).get()[field]
        Licence.objects.filter(pk=licence.pk).update(**{field: value})
        assert selectors.licence_check(licence.token).genuine is False, field
        Licence.objects.filter(pk=licence.pk).update(**{field: original})
        assert selectors.licence_check(licence.token).genuine is True, field
    # A signature of other content (another licence's) does not fit either.
    second = _issue(food, other, number="JY23703230054321")
    Licence.objects.filter(pk=licence.pk).update(signature=second.signature)
    assert selectors.licence_check(licence.token).genuine is False
    Licence.objects.filter(pk=licence.pk).update(signature="not base64!")
    assert selectors.licence_check(licence.token).genuine is False


def test_tampered_licence_page_says_not_genuine(client, types):
    _birth, food = types
    licence = _issue(food, enterprise_archive())
    Licence.objects.filter(pk=licence.pk).update(expires_on=dt.date(2099, 12, 31))
    response = client.get(
        reverse("archives:verify", args=[licence.token]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-genuine="no"' in body
    assert "Not genuine" in body


def test_rotation_keeps_old_licences_verifying(types, key_file):
    _birth, food = types
    first_id, written = services.create_signing_key()
    assert written
    assert services.create_signing_key() == (first_id, False)  # create twice: the key stays
    old = _issue(food, enterprise_archive())
    second_id, written = services.create_signing_key(rotate=True)
    assert written and second_id != first_id
    new = _issue(food, enterprise_archive(), number="JY23703230054321")
    assert (old.key_id, new.key_id) == (first_id, second_id)
    # A fresh process knows only the new key file; the old key comes from the table.
    signing.forget_key()
    signing._public_keys.clear()
    assert selectors.licence_check(old.token).genuine is True
    assert selectors.licence_check(new.token).genuine is True
    keys = {k.key_id: k for k in SigningKey.objects.all()}
    assert keys[first_id].retired_at is not None and keys[second_id].retired_at is None
    # A recorded public key that does not hash to its id is not trusted.
    SigningKey.objects.filter(key_id=first_id).update(public_key_pem=keys[second_id].public_key_pem)
    signing._public_keys.clear()
    assert selectors.licence_check(old.token).genuine is False
    # The audit trail names keys by id, never their material.
    rotated = AuditRecord.objects.get(event_type="archives.signing_key_rotated")
    assert rotated.after == {"key_id": second_id, "previous": first_id, "retired": 1}
    assert "PRIVATE" not in str(rotated.after) and "PUBLIC" not in rotated.summary


def test_without_a_key_licences_are_issued_unsigned_then_signed_in_batches(
    types, key_file, settings
):
    _birth, food = types
    settings.BANHAO_LICENCE_KEY_AUTOCREATE = False
    issued = [_issue(food, enterprise_archive(), number=f"JY2370323001000{i}") for i in range(3)]
    assert Licence.objects.filter(token__isnull=True).count() == 3
    assert all(lic.signature == "" for lic in issued)
    with pytest.raises(signing.NoSigningKey):
        services.sign_unsigned_licences()
    call_command("licence_keys", "create")
    call_command("sign_licences", "--batch-size", "2")
    assert Licence.objects.filter(token__isnull=True).count() == 0
    assert AuditRecord.objects.filter(event_type="archives.licences_signed").count() == 2
    for lic in Licence.objects.all():
        assert selectors.licence_check(lic.token).genuine is True


def test_revocation_by_the_issuing_department_only(types, units):
    _birth, food = types
    civil, market = units
    firm = enterprise_archive()
    owner = make_user(Role.ENTERPRISE, credit_code=firm.credit_code)
    licence = _issue(food, firm)
    outsiders = [
        make_user(Role.DEPT_HANDLER, department=civil),
        make_user(Role.WINDOW_CLERK),
        make_user(Role.COUNTY_LEADER),
        owner,
    ]
    for actor in outsiders:
        with pytest.raises(ArchiveError) as refused:
            services.revoke_licence(actor=actor, licence_id=licence.pk, reason="证照违规使用")
        assert refused.value.code == "not_issuer" and refused.value.status == 403
    handler = make_user(Role.DEPT_HANDLER, department=market)
    with pytest.raises(ArchiveError) as short:
        services.revoke_licence(actor=handler, licence_id=licence.pk, reason=" 违规 ")
    assert (short.value.code, short.value.field) == ("revocation_reason", "reason")
    assert Licence.objects.get(pk=licence.pk).state == LicenceState.CURRENT
    assert not AuditRecord.objects.filter(event_type="archives.licence_revoked").exists()
    assert not Notification.objects.filter(kind="archives.licence_revoked").exists()

    revoked = services.revoke_licence(
        actor=handler, licence_id=licence.pk, reason="经营场所已不符合许可条件"
    )
    stored = Licence.objects.get(pk=licence.pk)
    assert stored.state == LicenceState.REVOKED
    assert stored.revoked_by == handler and stored.revoked_at is not None
    assert stored.revocation_reason == "经营场所已不符合许可条件"
    audit = AuditRecord.objects.get(event_type="archives.licence_revoked")
    assert audit.before == {"state": "current"}
    assert audit.after == {"state": "revoked", "reason": "经营场所已不符合许可条件"}
    note = Notification.objects.get(kind="archives.licence_revoked")
    assert note.recipient == owner
    assert note.url == reverse("archives:licence", args=[revoked.pk])
    assert "经营场所已不符合许可条件" in note.body
    # Revoked stays genuine (the signature covers the content, not the state) but says revoked.
    check = selectors.licence_check(stored.token)
    assert (check.genuine, check.standing) == (True, selectors.Standing.REVOKED)
    with pytest.raises(ArchiveError) as again:
        services.revoke_licence(
            actor=make_user(Role.ADMIN), licence_id=licence.pk, reason="重复撤销"
        )
    assert again.value.code == "already_revoked"


def test_standing_expired_and_superseded(types):
    _birth, food = types
    firm = enterprise_archive()
    old = _issue(food, firm)
    check = selectors.licence_check(old.token, today=old.expires_on + dt.timedelta(days=1))
    assert check.standing == selectors.Standing.EXPIRED
    _issue(food, firm, number="JY23703230054321")
    assert selectors.licence_check(old.token).standing == selectors.Standing.SUPERSEDED


def test_public_page_shows_little_and_may_be_cached(client, types):
    birth, _food = types
    child = person_archive(name="王小明")
    licence = _issue(birth, child, number=child.id_number)
    url = reverse("archives:verify", args=[licence.token])
    assert child.id_number not in url
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Genuine and current" in body and 'data-standing="current"' in body
    assert "王*明" in body and "王小明" not in body
    assert child.id_number not in body
    assert "Birth registration" in body and "County Civil Affairs Bureau" in body
    assert "max-age=60" in response["Cache-Control"] and "public" in response["Cache-Control"]
    client.force_login(make_user(Role.CITIZEN))
    assert "private" in client.get(url)["Cache-Control"]  # the top bar names the visitor
    client.logout()
    zh = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "出生登记" in zh and "县民政局" in zh
    data = client.get(reverse("archives:verify_json", args=[licence.token])).json()
    assert data["genuine"] is True and data["standing"] == "current"
    assert data["holder"] == "王*明" and child.id_number not in str(data)
    assert data["issuer"] == "县民政局" and data["issued_on"] == "2026-01-05"
    for token in ["A" * 22, "short", "x" * 40]:
        assert client.get(f"/archives/verify/{token}/").status_code == 404
    assert client.get("/archives/verify/" + "A" * 22 + "/json/").json()["code"] == "not_found"


def test_holder_sees_the_qr_code_others_do_not(client, types, settings):
    _birth, food = types
    settings.BANHAO_PUBLIC_URL = "https://zwfw.example.gov.cn"
    firm = enterprise_archive()
    owner = make_user(Role.ENTERPRISE, credit_code=firm.credit_code)
    licence = _issue(food, firm)
    client.force_login(owner)
    response = client.get(reverse("archives:licence", args=[licence.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    target = "https://zwfw.example.gov.cn" + reverse("archives:verify", args=[licence.token])
    assert f'href="{target}"' in body
    assert "<svg" in body and 'data-testid="licence-qr"' in body
    client.force_login(make_user(Role.ENTERPRISE))
    assert client.get(reverse("archives:licence", args=[licence.pk])).status_code == 404


def test_revoke_page_authorisation(client, types, units):
    _birth, food = types
    civil, market = units
    licence = _issue(food, enterprise_archive())
    url = reverse("archives:revoke", args=[licence.pk])
    assert client.get(url).status_code == 302  # to the login page
    for actor in [make_user(Role.DEPT_HANDLER, department=civil), make_user(Role.ENTERPRISE)]:
        client.force_login(actor)
        assert client.get(url).status_code == 404
    client.force_login(make_user(Role.DEPT_HEAD, department=market))
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": "x"}).status_code == 400
    assert Licence.objects.get(pk=licence.pk).state == LicenceState.CURRENT
    response = client.post(url, {"reason": "许可证件被伪造冒用"})
    assert response.status_code == 302
    assert Licence.objects.get(pk=licence.pk).state == LicenceState.REVOKED
    assert 'data-state="revoked"' in client.get(url).content.decode()


def test_signing_adds_no_statement_to_issuing(types, settings, key_file):
    """Signing happens in memory before the INSERT: the same statements as an unsigned issue."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _birth, food = types
    firm, other = enterprise_archive(), enterprise_archive()
    settings.BANHAO_LICENCE_KEY_AUTOCREATE = False
    with CaptureQueriesContext(connection) as unsigned:
        assert _issue(food, firm).signature == ""
    settings.BANHAO_LICENCE_KEY_AUTOCREATE = True
    signing.current_signer()  # a process loads (and records) its key once
    with CaptureQueriesContext(connection) as signed:
        assert _issue(food, other, number="JY23703230054321").signature
    assert len(signed.captured_queries) == len(unsigned.captured_queries)
    # PostgreSQL logs the lean statements (server-side binding) without their SQL: the count
    # above is what holds there; here the ones that have it.
    assert not [
        q
        for q in signed.captured_queries
        if (q["sql"] or "").startswith('UPDATE "archives_licence"')
    ]
