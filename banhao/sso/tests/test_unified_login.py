"""The unified login against a real OpenID provider process (node-oidc-provider): the
authorization code flow over real HTTP, claim mapping, refusals, refresh and RP-initiated
logout."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from banhao import testing
from banhao.accounts.identity import VerificationMethod, holder_key
from banhao.accounts.models import IdentityConflict, IdentityVerification, User
from banhao.accounts.roles import Role
from banhao.audit.models import AuditRecord
from banhao.sso import tokens
from banhao.sso.models import ProviderLink

from . import provider as op
from .conftest import CITIZEN_ID, CREDIT_CODE, HIGH_ID, LOW_ID, SITE, UNVERIFIED_ID

pytestmark = pytest.mark.django_db


def _logged_in_user(client):
    return client.get("/accounts/profile/").wsgi_request.user


def test_off_by_default_no_button_and_no_pages(client, settings):
    assert settings.BANHAO_OIDC_ISSUER == ""
    page = client.get("/accounts/login/")
    assert b'data-testid="sso-login"' not in page.content
    assert client.get("/sso/login/").status_code == 404
    assert client.get("/sso/callback/?code=x&state=y").status_code == 404


def test_login_page_offers_the_unified_login_when_enabled(client, oidc):
    page = client.get("/accounts/login/?next=/archives/mine/")
    assert b'data-testid="sso-login"' in page.content
    assert b"/sso/login/?next=/archives/mine/" in page.content


def test_a_verified_citizen_signs_in_is_verified_and_linked(client, oidc, sign_in):
    response = sign_in("zhang", next_url="/archives/mine/")

    assert response.status_code == 302, response.content.decode()[-1500:]
    assert response["Location"] == "/archives/mine/"
    user = User.objects.get(provider_links__subject="sub-zhang")
    assert user.role == Role.CITIZEN and user.full_name == "张三"
    assert user.id_number == CITIZEN_ID and holder_key(user) == CITIZEN_ID
    assert user.identity_method == VerificationMethod.OIDC and user.identity_assurance == 2
    assert CITIZEN_ID not in user.username and not user.has_usable_password()
    assert _logged_in_user(client) == user
    # Tokens stay in the server-side session, never in a cookie.
    stored = tokens.current(client.session)
    assert stored["access_token"] and stored["refresh_token"] and stored["id_token"]
    assert all(stored["refresh_token"] not in c.value for c in client.cookies.values())
    login = AuditRecord.objects.get(event_type="account.login", actor=user)
    assert login.extra["method"] == "oidc" and login.extra["linked"] is True
    assert CITIZEN_ID not in str(login.extra) and "张三" not in str(login.extra)

    # Signing in again reaches the same account (by issuer + subject), verified once.
    client.post("/accounts/logout/")
    sign_in("zhang")
    assert _logged_in_user(client) == user
    assert ProviderLink.objects.filter(user=user).count() == 1
    assert IdentityVerification.objects.filter(user=user).count() == 1


def test_the_holder_verified_at_a_window_keeps_their_account(client, oidc, sign_in):
    holder = testing.make_user(Role.CITIZEN, "window-verified", id_number=HIGH_ID)

    sign_in("high")

    assert _logged_in_user(client) == holder
    holder.refresh_from_db()
    assert holder.identity_assurance == 3 and holder.full_name == "李四"
    assert ProviderLink.objects.get(subject="sub-high").user == holder


def test_an_enterprise_signs_in_with_its_credit_code_and_capacity(client, oidc, sign_in):
    sign_in("company")

    user = _logged_in_user(client)
    assert user.role == Role.ENTERPRISE and user.credit_code == CREDIT_CODE
    assert user.organisation_name == "沂源县统一登录测试有限公司"
    verification = IdentityVerification.objects.get(user=user)
    assert verification.method == "oidc" and verification.authority == "legal_representative"
    assert verification.acting_person == "孙七"


def test_staff_sign_in_to_the_existing_account_of_their_unit(client, oidc, sign_in):
    staff = testing.make_user(Role.DEPT_HANDLER, "oidc-handler", department=testing.department())

    sign_in("handler")

    assert _logged_in_user(client) == staff
    assert ProviderLink.objects.get(subject="sub-handler").user == staff
    staff.refresh_from_db()
    assert staff.role == Role.DEPT_HANDLER and staff.id_number == ""


@pytest.mark.parametrize(
    ("login", "code"),
    [
        ("low", "sso_low_assurance"),
        ("unverified", "sso_unverified"),
        ("stranger", "sso_unknown_unit"),
        ("moved", "sso_unit_mismatch"),
    ],
)
def test_refusals_show_a_clear_page_and_change_nothing(client, oidc, sign_in, login, code):
    testing.make_user(Role.DEPT_HANDLER, "oidc-handler", department=testing.department())
    testing.department("县政府市民投诉中心")
    users_before = User.objects.count()

    response = sign_in(login)

    assert response.status_code == 403
    assert f'data-code="{code}"'.encode() in response.content
    assert not _logged_in_user(client).is_authenticated
    assert User.objects.count() == users_before and not ProviderLink.objects.exists()
    refusal = AuditRecord.objects.get(event_type="sso.refused")
    assert refusal.extra["code"] == code and refusal.actor is None
    for secret in (LOW_ID, UNVERIFIED_ID, "王五", "赵六"):
        assert secret not in str(refusal.extra) + refusal.summary


def test_refusal_page_is_bilingual(client, oidc, sign_in):
    response = sign_in("low")
    assert "认证等级不足".encode() in response.content
    client.cookies["django_language"] = "en"
    response = sign_in("low")
    assert b"not checked strongly enough" in response.content


def test_the_real_holder_takes_over_a_squatted_identity(client, oidc, sign_in):
    squatter = testing.make_user(Role.CITIZEN, "squatter", id_number=CITIZEN_ID, verified=False)

    sign_in("zhang")

    holder = _logged_in_user(client)
    assert holder != squatter and holder_key(holder) == CITIZEN_ID
    conflict = IdentityConflict.objects.get()
    assert conflict.claimant == squatter and conflict.holder == holder
    assert holder_key(User.objects.get(pk=squatter.pk)) == ""


def test_the_access_token_is_refreshed_before_it_expires(client, oidc, sign_in):
    sign_in("zhang")
    session = client.session
    before = dict(tokens.current(session))
    session[tokens.SESSION_KEY] = {**before, "expires_at": int(time.time()) + 5}
    session.save()

    client.get("/")

    after = tokens.current(client.session)
    assert after["access_token"] != before["access_token"]
    assert after["expires_at"] > time.time() + 60
    assert _logged_in_user(client).is_authenticated


def test_a_refused_refresh_ends_the_local_session(client, oidc, sign_in):
    sign_in("zhang")
    user = _logged_in_user(client)
    session = client.session
    session[tokens.SESSION_KEY] = {
        **tokens.current(session),
        "expires_at": int(time.time()),
        "refresh_token": "revoked-or-forged",
    }
    session.save()

    client.get("/")

    assert not _logged_in_user(client).is_authenticated
    failed = AuditRecord.objects.get(event_type="sso.refresh_failed")
    assert failed.actor == user and failed.summary == "invalid_grant"


def test_logout_ends_the_session_here_and_at_the_provider(client, oidc, sign_in, provider_browser):
    sign_in("zhang")
    user = _logged_in_user(client)
    id_token = tokens.current(client.session)["id_token"]
    page = client.get("/")
    assert b'action="/sso/logout/"' in page.content

    response = client.post("/sso/logout/")

    assert response.status_code == 302
    end = urlsplit(response["Location"])
    assert f"{end.scheme}://{end.netloc}" == oidc.issuer
    query = parse_qs(end.query)
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == [f"{SITE}/sso/logged-out/"]
    assert not _logged_in_user(client).is_authenticated
    logout = AuditRecord.objects.get(event_type="account.logout", actor=user)
    assert logout.extra == {"method": "oidc", "at_provider": True}

    # The provider asks to confirm, then returns to the site.
    confirm = provider_browser.get(response["Location"])
    assert 'data-testid="op-logout"' in confirm.text
    action = confirm.text.split('action="', 1)[1].split('"', 1)[0]
    xsrf = confirm.text.split('name="xsrf" value="', 1)[1].split('"', 1)[0]
    done = provider_browser.post(
        oidc.issuer + action if action.startswith("/") else action,
        data={"xsrf": xsrf, "logout": "yes"},
    )
    assert done.is_redirect
    assert done.headers["location"].startswith(f"{SITE}/sso/logged-out/")
    back = client.get(urlsplit(done.headers["location"]).path)
    assert back.status_code == 302

    # The provider's session is gone: signing in asks for the password again.
    start = client.get("/sso/login/")
    prompt = op.through_provider(
        provider_browser, start["Location"], login="zhang", site=SITE, rp=client
    )
    assert prompt.status_code == 302 and _logged_in_user(client) == user


def test_a_forged_callback_is_refused_without_error(client, oidc):
    client.get("/sso/login/")
    response = client.get("/sso/callback/?code=forged&state=forged")
    assert response.status_code == 400
    assert b'data-code="sso_provider_failed"' in response.content
    assert not _logged_in_user(client).is_authenticated


def test_staff_without_an_account_here_are_refused_not_created(client, oidc, sign_in):
    testing.department()
    users_before = User.objects.count()

    response = sign_in("handler")

    assert response.status_code == 403
    assert b'data-code="sso_no_staff_account"' in response.content
    assert User.objects.count() == users_before
