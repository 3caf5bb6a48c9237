import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from banhao.accounts.roles import Role
from banhao.audit.models import AuditRecord
from banhao.hotline.errors import HotlineError
from banhao.hotline.models import Category, DutyAssignment, Ticket, TicketEvent
from banhao.hotline.services import duty
from banhao.hotline.services.intake import (
    REPEAT_COMPARED,
    TicketIntake,
    find_earlier,
    register_ticket,
)
from banhao.hotline.states import Channel, TicketStatus, TicketType, Urgency
from banhao.org.models import Region
from banhao.testing import make_user

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # Monday, 17:00 in Yiyuan


def wages_ticket(operator, now=NOW, **extra):
    values = {
        "channel": Channel.PHONE,
        "ticket_type": TicketType.HELP,
        "description": "包工头拖欠我们农民工三个月工资不发",
        "contact_name": "王五",
        "contact_phone": "13905331234",
    }
    values.update(extra)
    return register_ticket(actor=operator, intake=TicketIntake(**values), now=now)


def test_seed_covers_common_county_matters(seeded):
    leaves = set(Category.objects.filter(parent__isnull=False).values_list("code", flat=True))
    for code in (
        "road",
        "water",
        "heating",
        "noise_construction",
        "sanitation",
        "market_order",
        "food_safety",
        "wages",
        "social_insurance",
        "schools",
        "medical",
        "housing",
        "bus",
        "payment_refusal",
    ):
        assert code in leaves
    wages = DutyAssignment.objects.get(category__code="wages", town=None)
    assert wages.department.name == "县人力资源社会保障局"
    nanma = Region.objects.get(name="南麻街道")
    assert DutyAssignment.objects.get(category__code="sanitation", town=nanma).department.name == (
        "南麻街道办事处"
    )
    # every leaf has a county-wide line, and no line routes to a placeholder
    assert DutyAssignment.objects.filter(town=None).count() == len(leaves)
    assert not DutyAssignment.objects.filter(department__is_placeholder=True).exists()


def test_seed_is_idempotent_and_keeps_edited_lines(seeded, supervisor):
    from banhao.hotline.seed import seed_hotline
    from banhao.org.selectors import resolve_department

    housing = Category.objects.get(code="heating")
    duty.set_duty(
        actor=supervisor, category=housing, town=None, department=resolve_department("县发展改革局")
    )
    count = DutyAssignment.objects.count()
    seed_hotline()
    assert DutyAssignment.objects.count() == count
    assert DutyAssignment.objects.get(category=housing, town=None).department.name == "县发展改革局"


def test_phone_intake_records_everything_and_suggests_a_unit(operator, nanma):
    wages = Category.objects.get(code="wages")
    ticket = wages_ticket(
        operator,
        category=wages,
        urgency=Urgency.URGENT,
        town=nanma,
        address="胜利路18号工地",
        latitude="36.185000",
        longitude="118.170000",
        attachments=[SimpleUploadedFile("欠条.png", b"\x89PNG....", content_type="image/png")],
        suggest=True,
    )
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.REGISTERED
    assert ticket.number == f"12345-{ticket.pk:08d}"
    assert (ticket.channel, ticket.ticket_type, ticket.urgency) == ("phone", "help", "urgent")
    assert (ticket.contact_name, ticket.contact_phone) == ("王五", "13905331234")
    assert ticket.town == nanma and ticket.address == "胜利路18号工地"
    assert str(ticket.latitude) == "36.185000"
    assert ticket.created_at == NOW
    assert ticket.suggested_department.name == "县人力资源社会保障局"
    assert ticket.suggestion_confidence > 0.5
    assert [a.name for a in ticket.attachments.all()] == ["欠条.png"]
    assert list(ticket.events.values_list("kind", flat=True)) == ["registered"]
    audit = AuditRecord.objects.get(event_type="hotline.ticket.registered")
    assert audit.object_id == str(ticket.pk) and audit.actor == operator


def test_anonymous_ticket_keeps_no_contact(operator):
    citizen = make_user(Role.CITIZEN, phone="13800001111")
    ticket = register_ticket(
        actor=citizen,
        intake=TicketIntake(
            channel=Channel.WEB,
            ticket_type=TicketType.REPORT,
            description="某饭店后厨使用过期食材",
            requester=citizen,
            anonymous=True,
            contact_phone="13800001111",
            contact_name="张三",
        ),
    )
    ticket.refresh_from_db()
    assert ticket.is_anonymous
    assert (ticket.requester, ticket.contact_name, ticket.contact_phone) == (None, "", "")


def test_account_requester_contact_defaults_from_account(seeded):
    citizen = make_user(Role.CITIZEN, phone="13800002222", full_name="李梅")
    ticket = register_ticket(
        actor=citizen,
        intake=TicketIntake(
            channel=Channel.MOBILE,
            description="小区暖气不热，室温只有12度",
            requester=citizen,
            suggest=True,
        ),
    )
    assert (ticket.contact_name, ticket.contact_phone) == ("李梅", "13800002222")
    assert ticket.suggested_department.name == "县住房城乡建设局"


@pytest.mark.parametrize(
    ("extra", "field", "code"),
    [
        ({"description": "  "}, "description", "description_required"),
        ({"description": "字" * 4001}, "description", "description_too_long"),
        ({"contact_phone": "", "contact_name": ""}, "contact_phone", "contact_required"),
        ({"contact_phone": "12345"}, "contact_phone", "bad_phone"),
        ({"latitude": "95", "longitude": "118"}, "latitude", "bad_coordinates"),
        ({"latitude": "36"}, "latitude", "bad_coordinates"),
        (
            {
                "attachments": [
                    SimpleUploadedFile("a.exe", b"MZ", content_type="application/x-msdownload")
                ]
            },
            "attachments",
            "attachment_type",
        ),
    ],
)
def test_bad_input_is_refused_with_a_specific_error_and_nothing_saved(operator, extra, field, code):
    with pytest.raises(HotlineError) as info:
        wages_ticket(operator, **extra)
    assert (info.value.field, info.value.code) == (field, code)
    assert Ticket.objects.count() == 0 and TicketEvent.objects.count() == 0


def test_town_must_be_one_of_the_county(operator):
    with pytest.raises(HotlineError) as info:
        wages_ticket(operator, town=Region.objects.get(code="370300"))
    assert info.value.code == "bad_town"


def test_group_category_is_refused(operator):
    with pytest.raises(HotlineError) as info:
        wages_ticket(operator, category=Category.objects.get(code="labour"))
    assert info.value.code == "bad_category"


def test_landline_is_accepted(operator):
    assert wages_ticket(operator, contact_phone="0533-3221234").contact_phone == "05333221234"


def test_repeat_from_same_caller_on_same_matter_is_linked_not_merged(operator):
    wages = Category.objects.get(code="wages")
    first = wages_ticket(operator, category=wages)
    second = wages_ticket(operator, category=wages, now=NOW + dt.timedelta(days=3))
    third = wages_ticket(operator, category=wages, now=NOW + dt.timedelta(days=5))
    assert Ticket.objects.count() == 3
    assert second.duplicate_of == first and third.duplicate_of == first
    assert list(first.events.values_list("kind", flat=True)) == ["registered", "linked", "linked"]
    assert list(first.repeats.order_by("pk")) == [second, third]


def test_repeat_detection_by_text_when_no_category(operator):
    first = wages_ticket(operator)
    second = wages_ticket(operator, description="包工头拖欠我们农民工三个月工资，一直不发")
    other = wages_ticket(operator, description="路灯坏了好几天了没人修")
    assert second.duplicate_of == first
    assert other.duplicate_of is None


def test_no_link_outside_the_window_or_for_another_caller(operator):
    wages = Category.objects.get(code="wages")
    first = wages_ticket(operator, category=wages)
    late = wages_ticket(operator, category=wages, now=NOW + dt.timedelta(days=31))
    other = wages_ticket(operator, category=wages, contact_phone="13905339999")
    assert first.duplicate_of is None and late.duplicate_of is None and other.duplicate_of is None


def test_repeat_by_account_and_the_window_edges(operator):
    citizen = make_user(Role.CITIZEN, phone="13905337777")
    wages = Category.objects.get(code="wages")
    first = wages_ticket(operator, requester=citizen, contact_phone="", category=wages)
    # same account, another phone typed by the operator, 29 days later: a repeat
    second = wages_ticket(
        operator,
        requester=citizen,
        contact_phone="13905338888",
        category=wages,
        now=NOW + dt.timedelta(days=29),
    )
    # the same phone without the account is also the same requester
    third = wages_ticket(
        operator, contact_phone="13905338888", category=wages, now=NOW + dt.timedelta(days=30)
    )
    assert first.contact_phone == "13905337777"
    assert second.duplicate_of == first and third.duplicate_of == first
    found = find_earlier(
        requester=citizen, category=wages, now=NOW + dt.timedelta(days=30), exclude_pk=third.pk
    )
    assert found == second  # the most recent one in the window, the excluded one left out
    # the columns read are the right ones (the intake's link events use them)
    assert (found.category_id, found.duplicate_of_id, found.status, found.description) == (
        wages.pk,
        first.pk,
        second.status,
        second.description,
    )
    assert find_earlier(category=wages, now=NOW) is None  # nobody to compare with


def test_repeat_check_reads_the_latest_tickets_only(operator):
    """Among the requester's REPEAT_COMPARED latest tickets, newest first."""
    wages = Category.objects.get(code="wages")
    water = Category.objects.get(code="water")
    first = wages_ticket(operator, category=wages)
    for day in range(1, REPEAT_COMPARED + 1):
        wages_ticket(
            operator,
            category=water,
            description=f"停水第{day}天",
            now=NOW + dt.timedelta(hours=day),
        )
    # the wages ticket is now the 21st most recent: not compared, so not linked
    late = wages_ticket(operator, category=wages, now=NOW + dt.timedelta(days=2))
    assert late.duplicate_of is None
    assert first.duplicate_of is None


def test_related_object_is_kept_and_links_repeats(operator, seeded):
    from banhao.payments.models import PaymentTarget

    target = PaymentTarget.objects.first()
    first = register_ticket(
        actor=None,
        intake=TicketIntake(
            channel=Channel.PAYMENT,
            description="商户拒收现金",
            contact_phone="13905331234",
            related_object=target,
            suggest=True,
        ),
    )
    second = register_ticket(
        actor=None,
        intake=TicketIntake(
            channel=Channel.PAYMENT,
            description="又一次拒收现金，只能扫码",
            contact_phone="13905331234",
            related_object=target,
        ),
    )
    assert first.related_object == target
    assert second.duplicate_of == first
    assert first.suggested_department.name == "中国人民银行淄博市分行沂源营业管理部"


def test_timestamps_default_to_now(operator):
    before = timezone.now()
    ticket = wages_ticket(operator, now=None)
    assert before <= ticket.created_at <= timezone.now()


def test_village_is_placed_in_its_town_and_payment_tickets_get_their_matter(operator, nanma):
    village = Region.objects.filter(parent=nanma).first()
    assert village is not None  # demo villages and communities are seeded under each town
    ticket = register_ticket(
        actor=None,
        intake=TicketIntake(
            channel=Channel.PAYMENT,
            description="超市不收现金",
            anonymous=True,
            town=village,
        ),
    )
    assert ticket.town == nanma
    assert ticket.category.code == "payment_refusal"


def test_tickets_and_events_have_no_save_signals():
    """Intake and every step insert tickets and events with core.rows (no save(), no signals):
    a receiver added for either model would silently never run."""
    from django.db.models.signals import post_save, pre_save

    for model in (Ticket, TicketEvent):
        assert not pre_save.has_listeners(model) and not post_save.has_listeners(model)
