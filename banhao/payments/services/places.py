"""The register itself: a unit registers a place or edits its basic data, and the CSV import
(``exchange.parse_csv`` checks the rows) creates or updates places with their facts."""

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from banhao.audit.models import AuditAction
from banhao.audit.services import record

from .. import access, errors
from ..errors import PaymentsError
from ..models import FactSource, Place
from .capabilities import apply_facts
from .common import lock_place

PLACE_FIELDS = [
    "name",
    "name_en",
    "kind",
    "sector",
    "category",
    "is_key",
    "region",
    "address",
    "address_en",
    "latitude",
    "longitude",
    "opening_hours",
    "opening_hours_en",
    "phone",
]


BANK_KINDS = {"atm", "bank_branch"}


def _units_for(actor, kind: str, sector: str):
    """(bank, responsible unit, supervising department) for a place a unit registers: a bank's
    staff register their bank's places (supervised by the People's Bank office); a supervising
    department registers places of its own sectors."""
    from banhao.org.selectors import resolve_department

    from ..models import Bank, Sector
    from ..seed import sector_departments

    if actor.department_id is None:
        raise PaymentsError(errors.NO_UNIT)
    bank = Bank.objects.filter(department_id=actor.department_id).first()
    if bank is not None:
        return bank, actor.department, resolve_department(sector_departments()[Sector.FINANCE])
    if kind in BANK_KINDS:
        raise PaymentsError(errors.BANK_PLACE)
    supervisor = resolve_department(sector_departments()[sector])
    if supervisor.pk != actor.department_id:
        raise PaymentsError(errors.WRONG_SECTOR)
    return None, supervisor, supervisor


@transaction.atomic
def register_place(*, actor, code: str, data: dict) -> Place:
    """A unit adds a place to the register (basic data; capabilities follow as facts)."""
    from banhao.accounts.roles import DEPARTMENT_ROLES

    if not getattr(actor, "is_authenticated", False) or actor.role not in DEPARTMENT_ROLES:
        raise PaymentsError(errors.NOT_ALLOWED)
    bank, department, supervisor = _units_for(actor, data["kind"], data["sector"])
    if bank is not None:
        data = {**data, "sector": "finance"}
    if Place.objects.filter(code=code).exists():
        raise PaymentsError(errors.CODE_TAKEN)
    place = Place.objects.create(
        code=code,
        bank=bank,
        department=department,
        supervising_department=supervisor,
        **{k: data[k] for k in PLACE_FIELDS},
    )
    record(
        actor=actor,
        action=AuditAction.CREATE,
        event_type="payments.place.registered",
        obj=place,
        summary=f"{place.code} {place.name}",
        after={k: str(getattr(place, k)) for k in PLACE_FIELDS},
    )
    return place


@transaction.atomic
def update_place(*, actor, place: Place, data: dict, expected_version: int) -> Place:
    """Change a place's basic data (not its units or bank); refused if it changed meanwhile."""
    locked = lock_place(place.pk)
    if not access.can_edit_place(actor, locked):
        raise PaymentsError(errors.NOT_ALLOWED)
    if locked.version != expected_version:
        raise PaymentsError(errors.CONFLICT)
    if locked.bank_id is not None:
        data = {**data, "sector": locked.sector}
        if data["kind"] not in BANK_KINDS:
            data["kind"] = locked.kind
    elif data["kind"] in BANK_KINDS:
        raise PaymentsError(errors.BANK_PLACE)
    before, after = {}, {}
    for name in PLACE_FIELDS:
        old = getattr(locked, name)
        if old != data[name]:
            before[name], after[name] = str(old), str(data[name])
            setattr(locked, name, data[name])
    locked.version = F("version") + 1
    locked.save(update_fields=[*PLACE_FIELDS, "version", "updated_at"])
    locked.refresh_from_db(fields=["version"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        event_type="payments.place.updated",
        obj=locked,
        before=before,
        after=after,
    )
    return locked


# An import also sets what a clerk's form does not: the bank, the units and the demo flag.
IMPORTED_FIELDS = [*PLACE_FIELDS, "bank", "department", "supervising_department", "is_demo"]


@transaction.atomic
def import_places(*, actor, rows) -> tuple[int, int]:
    """Create or update places from checked CSV rows (``exchange.parse_csv``), with each given
    capability recorded as a fact (source: import). Returns (created, updated)."""
    if not access.can_exchange_data(actor):
        raise PaymentsError(errors.IMPORT_NOT_ALLOWED)
    created = updated = 0
    existing = {
        p.code: p
        for p in Place.objects.select_for_update().filter(code__in=[r.values["code"] for r in rows])
    }
    for row in rows:
        place = existing.get(row.values["code"])
        if place is None:
            place = Place.objects.create(**row.values)
            created += 1
        else:
            for name in IMPORTED_FIELDS:
                setattr(place, name, row.values[name])
            place.save(update_fields=[*IMPORTED_FIELDS, "updated_at"])
            updated += 1
        if row.capabilities:
            apply_facts(
                place,
                row.capabilities,
                observed_on=row.as_of,
                source=FactSource.IMPORT,
                source_note=_("CSV import, line %(line)d") % {"line": row.line},
                actor=actor,
            )
    record(
        actor=actor,
        action=AuditAction.CREATE,
        event_type="payments.register.imported",
        summary=f"{created} created, {updated} updated",
        extra={"codes": [r.values["code"] for r in rows][:500]},
    )
    return created, updated
