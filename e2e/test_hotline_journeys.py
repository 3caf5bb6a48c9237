"""12345 hotline in the browser: a call taken in, dispatched to the wrong unit, returned,
ruled on by the establishment office, handled, called back unsatisfied, reopened, handled again
and closed; and the monthly ranking on desktop and phone."""

import pytest
from playwright.sync_api import expect

from banhao.accounts.roles import Role
from banhao.hotline import dispatch
from banhao.hotline.models import Ticket
from banhao.hotline.seed import seed_hotline
from banhao.org.models import Region
from banhao.org.selectors import resolve_department
from banhao.portal.seeding import run_all
from banhao.testing import PASSWORD, make_user

from .helpers import horizontal_overflow

pytestmark = pytest.mark.browser


@pytest.fixture
def seeded(transactional_db):
    run_all()
    seed_hotline()
    dispatch.reset()
    yield
    dispatch.reset()


def staff(role, unit, name):
    return make_user(role, department=resolve_department(unit), full_name=name)


def act(page, testid):
    with page.expect_navigation():
        page.get_by_test_id(testid).click()


def test_intake_dispatch_return_ruling_handling_callback_reopen_close(seeded, open_page, login):
    operator = staff(Role.HOTLINE_OPERATOR, "县政府市民投诉中心", "赵丽")
    market = staff(Role.DEPT_HANDLER, "县市场监管局", "王强")
    hrss = staff(Role.DEPT_HANDLER, "县人力资源社会保障局", "刘建国")
    office = staff(Role.DEPT_HANDLER, "县委编办", "李明")
    hrss_dept = resolve_department("县人力资源社会保障局")
    market_dept = resolve_department("县市场监管局")

    # 1. The operator takes the call.
    centre = open_page("desktop")
    login(centre, operator.username, PASSWORD)
    centre.get_by_test_id("card-hotline-intake").click()
    form = centre.get_by_test_id("intake-form")
    form.locator("select[name=ticket_type]").select_option("help")
    form.locator("textarea[name=description]").fill("饭店老板拖欠服务员三个月工资不发")
    form.locator("select[name=town]").select_option(str(Region.objects.get(name="南麻街道").pk))
    form.locator("input[name=address]").fill("振兴路88号饭店")
    form.locator("input[name=contact_name]").fill("王五")
    form.locator("input[name=contact_phone]").fill("13905331234")
    act(centre, "intake-submit")
    ticket = Ticket.objects.get()
    expect(centre.get_by_test_id("suggestions")).to_contain_text("县人力资源社会保障局")

    # 2. It is dispatched to the market regulator (a plausible mistake: a restaurant).
    centre.get_by_test_id("dispatch-unit").select_option(str(market_dept.pk))
    act(centre, "dispatch-submit")
    expect(centre.get_by_test_id("department")).to_have_text("县市场监管局")

    # 3. The market regulator returns it within the window.
    unit = open_page("desktop")
    login(unit, market.username, PASSWORD)
    unit.goto("/hotline/unit/")
    unit.get_by_test_id("unit-queue").get_by_role("link", name=ticket.number).click()
    expect(unit.get_by_test_id("contact")).to_contain_text("139****1234")
    unit.get_by_test_id("return-reason").fill("欠薪属劳动保障监察职责")
    act(unit, "return")
    assert Ticket.objects.get().status == "returned"

    # 4. The centre sends the dispute to the establishment office.
    centre.goto(f"/hotline/tickets/{ticket.pk}/")
    centre.get_by_test_id("ruling-parties").select_option([str(market_dept.pk), str(hrss_dept.pk)])
    centre.get_by_test_id("ruling-question").fill("饭店欠薪由市场监管还是人社处理？")
    act(centre, "ruling-submit")

    # 5. The office rules: labour inspection (人社) is responsible.
    ruler = open_page("desktop")
    login(ruler, office.username, PASSWORD)
    ruler.goto(f"/hotline/tickets/{ticket.pk}/")
    ruler.get_by_test_id("rule-unit").select_option(str(hrss_dept.pk))
    ruler.get_by_test_id("rule-basis").fill("依据三定方案，劳动保障监察属人社局职责")
    act(ruler, "rule-submit")
    assert Ticket.objects.get().department == hrss_dept

    # 6. The labour bureau accepts and replies.
    labour = open_page("desktop")
    login(labour, hrss.username, PASSWORD)
    labour.goto(f"/hotline/tickets/{ticket.pk}/")
    act(labour, "accept")
    expect(labour.get_by_test_id("handle-due")).to_be_visible()
    labour.get_by_test_id("reply-text").fill("已约谈饭店老板，承诺本周内支付")
    act(labour, "reply-submit")

    # 7. Callback: not satisfied -> reopened to the same unit.
    centre.goto(f"/hotline/tickets/{ticket.pk}/")
    centre.get_by_test_id("callback-satisfaction").select_option("unsatisfied")
    centre.get_by_test_id("callback-resolution").select_option("unresolved")
    act(centre, "callback-submit")
    reopened = Ticket.objects.get()
    assert (reopened.status, reopened.reopen_count, reopened.department) == (
        "dispatched",
        1,
        hrss_dept,
    )

    # 8. Handled again, called back satisfied: closed.
    labour.goto(f"/hotline/tickets/{ticket.pk}/")
    act(labour, "accept")
    labour.get_by_test_id("reply-text").fill("工资已足额支付")
    act(labour, "reply-submit")
    centre.goto(f"/hotline/tickets/{ticket.pk}/")
    centre.get_by_test_id("callback-satisfaction").select_option("satisfied")
    centre.get_by_test_id("callback-resolution").select_option("resolved")
    act(centre, "callback-submit")
    closed = Ticket.objects.get()
    assert closed.status == "closed" and closed.satisfaction == "satisfied"
    kinds = [
        li.get_attribute("data-kind")
        for li in centre.get_by_test_id("timeline").locator("li").all()
    ]
    assert kinds == [
        "registered",
        "dispatched",
        "returned",
        "ruling_requested",
        "ruled",
        "accepted",
        "replied",
        "callback",
        "reopened",
        "accepted",
        "replied",
        "callback",
        "closed",
    ]


def test_monthly_ranking_on_desktop_and_phone(seeded, open_page, login):
    from django.utils import timezone

    from banhao.hotline.services import handling
    from banhao.hotline.services.intake import TicketIntake, register_ticket
    from banhao.hotline.states import Channel

    operator = staff(Role.HOTLINE_OPERATOR, "县政府市民投诉中心", "赵丽")
    leader = make_user(Role.COUNTY_LEADER, full_name="周文斌")
    now = timezone.now()
    for unit_name, handler_name, satisfaction in (
        ("县人力资源社会保障局", "刘建国", "satisfied"),
        ("县市场监管局", "王强", "unsatisfied"),
    ):
        handler = staff(Role.DEPT_HANDLER, unit_name, handler_name)
        for i in range(5):  # the interview rule counts units with at least 5 tickets
            t = register_ticket(
                actor=operator,
                intake=TicketIntake(
                    channel=Channel.PHONE,
                    description=f"{unit_name}测试诉求{i}",
                    contact_phone=f"139053{len(unit_name):02d}{i:03d}",
                ),
            )
            handling.dispatch(actor=operator, ticket=t, department=handler.department, now=now)
            handling.accept(actor=handler, ticket=t, now=now)
            handling.reply(actor=handler, ticket=t, text="已处理", now=now)
            handling.callback(
                actor=operator,
                ticket=t,
                satisfaction=satisfaction,
                resolution="resolved" if satisfaction == "satisfied" else "unresolved",
                reopen=False,
                now=now,
            )
    for kind in ("desktop", "phone"):
        page = open_page(kind)
        login(page, leader.username, PASSWORD)
        page.get_by_test_id("card-hotline-ranking").click()
        rows = page.get_by_test_id("rank-row")
        expect(rows).to_have_count(2)
        expect(rows.first).to_contain_text("县人力资源社会保障局")
        expect(rows.nth(1)).to_contain_text("县市场监管局")
        expect(rows.nth(1).get_by_test_id("flag")).to_have_count(1)  # satisfaction below the line
        expect(page.get_by_test_id("export-xlsx")).to_be_visible()
        assert horizontal_overflow(page) == 0
