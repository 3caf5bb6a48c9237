"""Demo and benchmark tickets at volume: a year of a county's 12345 traffic.

Tickets are written with ``bulk_create`` in batches, already through their lifecycle
(dispatched, accepted, replied, called back, closed — or still open if recent), with the
timestamps, deadlines and callback results the services would have set; then the per-unit daily
facts are rebuilt from them. Timeline events and audit records are not generated: they describe
acts of people, and generated tickets had none. Needs ``banhao seed`` (regions, departments, the
hotline's categories and duty list).
"""

import datetime as dt
import random
import time
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from banhao.core.workdays import add_working_days
from banhao.org.selectors import townships

from . import facts
from .models import Category, DutyAssignment, Ticket
from .states import Channel, Resolution, Satisfaction, TicketStatus, TicketType, Urgency

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"
PLACES = ["小区", "村", "路口", "市场", "学校门口", "工地", "社区", "商场", "车站", "楼下"]
ASKS = ["请尽快处理", "希望有关部门管一管", "已经反映多次", "影响正常生活", "请给予答复"]
CHANNELS = [
    (Channel.PHONE, 60),
    (Channel.WEB, 12),
    (Channel.MOBILE, 18),
    (Channel.API, 5),
    (Channel.OPEN311, 5),
]
URGENCIES = [(Urgency.NORMAL, 90), (Urgency.URGENT, 8), (Urgency.CRITICAL, 2)]


class NotSeededError(Exception):
    """The hotline's categories or the townships are missing: run `banhao seed` first."""


@dataclass
class Summary:
    tickets: int
    tickets_seconds: float
    facts: int
    facts_seconds: float
    seed: int


def _pick(rng: random.Random, weighted):
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def generate_tickets(
    count: int, *, seed: int = 2024, days: int = 365, batch: int = 5000, now=None
) -> Summary:
    rng = random.Random(seed)
    now = now or timezone.now()
    tz = ZoneInfo(settings.TIME_ZONE)
    categories = list(Category.objects.filter(parent__isnull=False, is_active=True))
    towns = list(townships())
    if not categories or not towns:
        raise NotSeededError("Run `banhao seed` first (categories, duty list and townships).")
    duty = {(d.category_id, d.town_id): d.department_id for d in DutyAssignment.objects.all()}
    units = sorted(set(duty.values()))
    # Each unit has its own quality, so rankings differ: chance of satisfied, of late.
    quality = {u: (rng.uniform(0.6, 0.98), rng.uniform(0.02, 0.3)) for u in units}
    words = {c.pk: c.keywords.split() or [c.name] for c in categories}
    due_cache: dict[tuple[dt.date, int], dt.datetime] = {}

    def working_end(at: dt.datetime, n: int) -> dt.datetime:
        key = (at.astimezone(tz).date(), n)
        if key not in due_cache:
            day = add_working_days(key[0], n)
            due_cache[key] = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz)
        return due_cache[key]

    start_time = time.perf_counter()
    span = days * 86400
    written = 0
    while written < count:
        rows = []
        for _ in range(min(batch, count - written)):
            category = rng.choice(categories)
            town = rng.choice(towns)
            unit = duty.get((category.pk, town.pk)) or duty.get((category.pk, None))
            created = now - dt.timedelta(seconds=rng.randrange(span))
            kw = words[category.pk]
            description = f"{town.name}{rng.choice(PLACES)}{rng.choice(kw)}问题，{rng.choice(kw)}，{rng.choice(ASKS)}"
            anonymous = rng.random() < 0.05
            urgency = _pick(rng, URGENCIES)
            ticket = Ticket(
                token=uuid.UUID(int=rng.getrandbits(128), version=4),
                channel=_pick(rng, CHANNELS),
                ticket_type=category.default_type or TicketType.COMPLAINT,
                urgency=urgency,
                category_id=category.pk,
                description=description,
                is_anonymous=anonymous,
                contact_name=""
                if anonymous
                else rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                contact_phone=""
                if anonymous
                else f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                town_id=town.pk,
                address=f"演示地址{rng.randrange(1, 300)}号",
                created_at=created,
                suggested_department_id=unit if rng.random() < 0.85 else rng.choice(units),
                suggestion_confidence=round(rng.uniform(0.35, 0.97), 3),
            )
            age_days = (now - created).days
            if unit is not None and not (age_days < 1 and rng.random() < 0.5):
                satisfied_p, late_p = quality[unit]
                ticket.department_id = unit
                ticket.status = TicketStatus.DISPATCHED
                ticket.dispatched_at = created + dt.timedelta(minutes=rng.randrange(5, 90))
                ticket.respond_due = working_end(ticket.dispatched_at, 2)
                progress = rng.random() if age_days < 15 else 1.0
                if progress > 0.15:
                    ticket.status = TicketStatus.HANDLING
                    ticket.accepted_at = ticket.dispatched_at + dt.timedelta(
                        hours=rng.uniform(0.5, 40)
                    )
                    ticket.handle_due = working_end(ticket.accepted_at, 5)
                if progress > 0.45:
                    late = rng.random() < late_p
                    ticket.status = TicketStatus.REPLIED
                    ticket.replied_at = (
                        ticket.handle_due + dt.timedelta(days=rng.uniform(0.2, 6))
                        if late
                        else ticket.accepted_at + dt.timedelta(hours=rng.uniform(2, 100))
                    )
                    if ticket.replied_at > ticket.handle_due and not late:
                        ticket.replied_at = ticket.handle_due - dt.timedelta(hours=1)
                    ticket.reply = "经核实，已安排处理并告知诉求人。"
                if progress > 0.7 and ticket.replied_at and ticket.replied_at < now:
                    ticket.callback_at = ticket.replied_at + dt.timedelta(hours=rng.uniform(2, 40))
                    roll = rng.random()
                    if roll < 0.04:
                        ticket.satisfaction = Satisfaction.UNREACHABLE
                    elif roll < 0.04 + satisfied_p * 0.96:
                        ticket.satisfaction = rng.choice(
                            [
                                Satisfaction.SATISFIED,
                                Satisfaction.SATISFIED,
                                Satisfaction.BASICALLY_SATISFIED,
                            ]
                        )
                        ticket.resolution = rng.choice(
                            [Resolution.RESOLVED, Resolution.BASICALLY_RESOLVED]
                        )
                    else:
                        ticket.satisfaction = Satisfaction.UNSATISFIED
                        ticket.resolution = Resolution.UNRESOLVED
                    ticket.status = TicketStatus.CLOSED
                    ticket.closed_at = ticket.callback_at
            rows.append(ticket)
        with transaction.atomic():
            Ticket.objects.bulk_create(rows, batch_size=1000)
        written += len(rows)
    tickets_seconds = time.perf_counter() - start_time
    start_time = time.perf_counter()
    fact_rows = facts.rebuild()
    return Summary(
        tickets=written,
        tickets_seconds=round(tickets_seconds, 3),
        facts=fact_rows,
        facts_seconds=round(time.perf_counter() - start_time, 3),
        seed=seed,
    )
