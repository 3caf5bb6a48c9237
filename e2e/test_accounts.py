"""Logging in and out, registration and the holder's own profile, through the real forms."""

import pytest
from django.contrib.auth.forms import AuthenticationForm
from django.utils import translation
from playwright.sync_api import expect

from banhao.accounts.forms import CitizenRegisterForm, EnterpriseRegisterForm
from banhao.accounts.models import User

from .conftest import PASSWORD, valid_id_number
from .helpers import page_language, tr

pytestmark = pytest.mark.browser


def test_logout_returns_to_the_public_landing_page(page, login, make_user):
    user, password = make_user("citizen")
    login(page, user.username, password)

    page.get_by_test_id("logout").click()

    expect(page.get_by_test_id("landing")).to_be_visible()
    expect(page.get_by_test_id("whoami")).to_have_count(0)
    # The session is really gone: the profile now asks for a login.
    page.goto("/accounts/profile/")
    expect(page.get_by_test_id("login-form")).to_be_visible()


def test_wrong_password_shows_an_error_and_keeps_the_user_name(page, login, make_user):
    user, _ = make_user("citizen")
    login(page, user.username, "not-the-password", expect_success=False)

    errors = page.get_by_test_id("form-errors")
    expect(errors).to_be_visible()
    with translation.override(page_language(page)):
        expected = AuthenticationForm.error_messages["invalid_login"] % {
            "username": User._meta.get_field("username").verbose_name
        }
    expect(errors).to_contain_text(expected)
    form = page.get_by_test_id("login-form")
    expect(form.locator("input[name=username]")).to_have_value(user.username)
    expect(form.locator("input[name=password]")).to_have_value("")
    expect(page.get_by_test_id("whoami")).to_have_count(0)


def test_citizen_sees_own_id_number_in_full(page, login, make_user):
    user, password = make_user("citizen", id_number=valid_id_number(serial=7))
    login(page, user.username, password)

    page.get_by_test_id("whoami").click()

    expect(page.get_by_test_id("profile")).to_be_visible()
    expect(page.get_by_test_id("id-number")).to_have_text(user.id_number)
    assert "*" not in user.id_number


def _fill_citizen_form(page, **values):
    for name, value in values.items():
        page.locator(f"[name={name}]").fill(value)


def test_registration_with_a_bad_id_number_names_the_problem_and_keeps_the_input(page):
    good = valid_id_number(serial=42)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")  # wrong check digit
    page.goto("/accounts/register/citizen/")
    _fill_citizen_form(
        page,
        username="zhangming",
        full_name="张明",
        id_number=bad,
        phone="13800001234",
        password=PASSWORD,
        password_again=PASSWORD,
    )
    page.get_by_test_id("register-submit").click()

    errors = page.get_by_test_id("form-errors")
    expect(errors).to_contain_text(
        tr(page, "The ID number's check digit is wrong; please check every digit.")
    )
    expect(page.locator("[name=username]")).to_have_value("zhangming")
    expect(page.locator("[name=full_name]")).to_have_value("张明")
    expect(page.locator("[name=id_number]")).to_have_value(bad)
    expect(page.locator("[name=phone]")).to_have_value("13800001234")
    # The field itself is marked for assistive technology.
    expect(page.locator("[name=id_number]")).to_have_attribute("aria-invalid", "true")
    assert not User.objects.filter(username="zhangming").exists()


def test_registration_with_good_data_lands_on_the_citizen_home(page):
    page.goto("/accounts/register/citizen/")
    _fill_citizen_form(
        page,
        username="liuyang",
        full_name="刘洋",
        id_number=valid_id_number(serial=43),
        password=PASSWORD,
        password_again=PASSWORD,
    )
    page.get_by_test_id("register-submit").click()

    expect(page.get_by_test_id("role-home")).to_have_attribute("data-role", "citizen")
    expect(page.get_by_test_id("whoami")).to_have_text("刘洋")
    user = User.objects.get(username="liuyang")
    # The typed ID number is a claim until a window clerk (or the unified login) verifies it.
    assert (user.role, user.full_name, user.id_number) == ("citizen", "刘洋", "")
    assert (
        user.identity_claims.get().masked
        == valid_id_number(serial=43)[:4] + "*" * 10 + (valid_id_number(serial=43)[-4:])
    )


@pytest.mark.parametrize(
    ("path", "form_class"),
    [
        ("/accounts/register/citizen/", CitizenRegisterForm),
        ("/accounts/register/enterprise/", EnterpriseRegisterForm),
    ],
    ids=["citizen", "enterprise"],
)
def test_registration_pages_show_every_field_with_a_label(page, path, form_class):
    # The templates lay the fields out by hand; a field added to the form must appear too.
    page.goto(path)
    for name in form_class.base_fields:
        field = page.locator(f"form [name={name}]")
        expect(field).to_have_count(1)
        expect(page.locator(f"label[for={field.get_attribute('id')}]")).to_have_count(1)
