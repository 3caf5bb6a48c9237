"""The duty list: which unit answers for a matter (category) in a township, as edited by the
centre's supervisors (a ruling also writes it: see ``rulings.rule``)."""

from django.db import transaction

from banhao.audit.models import AuditAction
from banhao.audit.services import record
from banhao.org.models import Department, Region

from .. import access, errors
from ..errors import HotlineError
from ..models import Category, DutyAssignment, DutySource
from .common import check_unit


@transaction.atomic
def set_duty(
    *, actor, category: Category, town: Region | None, department: Department, basis: str = ""
):
    """A supervisor edits one line of the duty list."""
    if not access.is_supervisor(actor):
        raise HotlineError(errors.NOT_CENTRE)
    check_unit(department)
    if category.parent_id is None:
        raise HotlineError(errors.BAD_CATEGORY, "category")
    existing = (
        DutyAssignment.objects.select_for_update().filter(category=category, town=town).first()
    )
    before = {"department_id": existing.department_id} if existing else None
    line, _created = DutyAssignment.objects.update_or_create(
        category=category,
        town=town,
        defaults={
            "department": department,
            "source": DutySource.EDITED,
            "basis": basis.strip()[:300],
        },
    )
    record(
        actor=actor,
        action=AuditAction.UPDATE if existing else AuditAction.CREATE,
        event_type="hotline.duty.edited",
        obj=line,
        summary=f"{category.name} / {town or '—'} → {department.name}",
        before=before,
        after={"department_id": department.pk},
    )
    return line
