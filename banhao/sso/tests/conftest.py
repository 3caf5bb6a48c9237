import httpx
import pytest

from banhao.testing import valid_credit_code, valid_id_number

from . import provider as op

SITE = "http://testserver"  # the Django test client's host
CITIZEN_ID = valid_id_number(serial=801)
HIGH_ID = valid_id_number(serial=802)
LOW_ID = valid_id_number(serial=803)
UNVERIFIED_ID = valid_id_number(serial=804)
CREDIT_CODE = valid_credit_code(serial=805)

ACCOUNTS = [
    op.account(
        "zhang", account_type="citizen", realname_verified=True, name="张三", id_number=CITIZEN_ID
    ),
    op.account(
        "high",
        "loa3",
        account_type="citizen",
        realname_verified=True,
        name="李四",
        id_number=HIGH_ID,
    ),
    op.account(
        "low", "loa1", account_type="citizen", realname_verified=True, name="王五", id_number=LOW_ID
    ),
    op.account(
        "unverified",
        account_type="citizen",
        realname_verified=False,
        name="赵六",
        id_number=UNVERIFIED_ID,
    ),
    op.account(
        "company",
        account_type="enterprise",
        realname_verified=True,
        name="孙七",
        enterprise_name="沂源县统一登录测试有限公司",
        credit_code=CREDIT_CODE,
        authority="legal_representative",
    ),
    op.account(
        "handler",
        account_type="staff",
        realname_verified=True,
        name="刘建国",
        preferred_username="oidc-handler",
        unit="县行政审批服务局",
        region="370323",
    ),
    op.account(
        "stranger",
        account_type="staff",
        realname_verified=True,
        name="周八",
        preferred_username="oidc-handler",
        unit="县不存在局",
        region="370323",
    ),
    op.account(
        "moved",
        account_type="staff",
        realname_verified=True,
        name="吴九",
        preferred_username="oidc-handler",
        unit="县政府市民投诉中心",
        region="370323",
    ),
]


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """The real node-oidc-provider process, with the accounts above, for the whole session."""
    running = op.start(tmp_path_factory.mktemp("oidc"), accounts=ACCOUNTS, site=SITE)
    yield running
    op.stop(running)


@pytest.fixture
def oidc(oidc_provider, settings):
    """The unified login turned on for one test, against the running provider."""
    for name, value in oidc_provider.settings().items():
        setattr(settings, name, value)
    return oidc_provider


@pytest.fixture
def provider_browser():
    """The person's browser at the provider: its own cookie jar (the provider's session)."""
    with httpx.Client(timeout=20) as browser:
        yield browser


@pytest.fixture
def sign_in(client, provider_browser):
    """``sign_in(login)`` runs the whole authorization code flow: the site's /sso/login/, the
    provider's login page, back to the site's callback. Returns the callback's response."""

    def _sign_in(login: str, next_url: str = ""):
        start = client.get("/sso/login/" + (f"?next={next_url}" if next_url else ""))
        assert start.status_code == 302, start.content[:300]
        return op.through_provider(
            provider_browser, start["Location"], login=login, site=SITE, rp=client
        )

    return _sign_in
