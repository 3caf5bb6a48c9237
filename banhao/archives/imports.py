"""CSV import of archives: persons, enterprises or licences, all or nothing.

Every row is checked first; if any row has an error nothing is written and every error is listed
with its line, in the user's language. Persons and enterprises are matched by ID number or
credit code (created or updated); a licence row is recorded once per type and number.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from banhao.audit.models import AuditAction
from banhao.audit.services import record
from banhao.core.identifiers import clean_credit_code, clean_id_number, clean_mobile
from banhao.org.selectors import townships

from .models import Enterprise, Gender, Industry, Licence, LicenceSource, LicenceType, Person

COLUMNS = {
    "persons": [
        "id_number",
        "name",
        "phone",
        "township",
        "address",
        "hukou_address",
        "spouse_id_number",
    ],
    "enterprises": [
        "credit_code",
        "name",
        "legal_representative",
        "legal_representative_id",
        "industry",
        "registered_capital",
        "established_on",
        "headcount",
        "township",
        "address",
    ],
    "licences": ["holder", "licence_type", "number", "issued_on", "expires_on"],
}
REQUIRED = {
    "persons": ["id_number", "name", "township"],
    "enterprises": [
        "credit_code",
        "name",
        "legal_representative",
        "legal_representative_id",
        "industry",
        "registered_capital",
        "established_on",
        "township",
    ],
    "licences": ["holder", "licence_type", "number", "issued_on"],
}


@dataclass
class RowError:
    line: int
    key: str
    messages: list[str]


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and self.rows > 0


def _date(value: str, column: str, problems: list[str]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        problems.append(
            _("%(col)s must be a date like 2024-12-31, not “%(v)s”.") % {"col": column, "v": value}
        )
        return None


def _identifier(clean, value: str, column: str, problems: list[str]) -> str:
    try:
        return clean(value)
    except ValidationError as exc:
        problems.append(f"{column}: {' '.join(exc.messages)}")
        return ""


def _towns() -> dict[str, object]:
    found = {}
    for town in townships():
        found[town.name] = town
        if getattr(town, "name_en", ""):
            found[town.name_en.lower()] = town
    return found


def _check_person(row, look, problems) -> dict:
    id_number = _identifier(clean_id_number, row["id_number"], "id_number", problems)
    phone = ""
    if row.get("phone"):
        phone = _identifier(clean_mobile, row["phone"], "phone", problems)
    town = look["towns"].get(row["township"]) or look["towns"].get(row["township"].lower())
    if row["township"] and town is None:
        problems.append(_("Unknown township “%(v)s”.") % {"v": row["township"]})
    spouse = ""
    if row.get("spouse_id_number"):
        spouse = _identifier(clean_id_number, row["spouse_id_number"], "spouse_id_number", problems)
        if spouse and spouse == id_number:
            problems.append(_("A person cannot be their own spouse."))
    values = {
        "id_number": id_number,
        "name": row["name"][:32],
        "phone": phone,
        "township": town,
        "address": row.get("address", "")[:200],
        "hukou_address": row.get("hukou_address", "")[:200],
    }
    if id_number:
        birth = id_number[6:14]
        values["gender"] = Gender.MALE if int(id_number[16]) % 2 else Gender.FEMALE
        values["birth_date"] = dt.date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
    return {"key": id_number, "values": values, "spouse": spouse}


def _check_enterprise(row, look, problems) -> dict:
    code = _identifier(clean_credit_code, row["credit_code"], "credit_code", problems)
    rep_id = _identifier(
        clean_id_number, row["legal_representative_id"], "legal_representative_id", problems
    )
    if row["industry"] and row["industry"].upper() not in Industry.values:
        problems.append(
            _("Unknown industry “%(v)s”; use a section letter A to T.") % {"v": row["industry"]}
        )
    capital = None
    try:
        capital = Decimal(row["registered_capital"])
        if capital < 0:
            raise InvalidOperation
    except InvalidOperation:
        problems.append(
            _("registered_capital must be a number of 10,000 yuan, not “%(v)s”.")
            % {"v": row["registered_capital"]}
        )
    established = _date(row["established_on"], "established_on", problems)
    headcount = 0
    if row.get("headcount"):
        if row["headcount"].isdigit():
            headcount = int(row["headcount"])
        else:
            problems.append(_("headcount must be a whole number."))
    town = look["towns"].get(row["township"]) or look["towns"].get(row["township"].lower())
    if town is None:
        problems.append(_("Unknown township “%(v)s”.") % {"v": row["township"]})
    return {
        "key": code,
        "values": {
            "credit_code": code,
            "name": row["name"][:100],
            "legal_representative": row["legal_representative"][:32],
            "legal_representative_id": rep_id,
            "industry": row["industry"].upper(),
            "registered_capital": capital,
            "established_on": established,
            "headcount": headcount,
            "township": town,
            "address": row.get("address", "")[:200],
        },
    }


def _check_licence(row, look, problems) -> dict:
    holder_key = row["holder"].strip().upper()
    licence_type = look["types"].get(row["licence_type"])
    if licence_type is None:
        problems.append(_("Unknown licence type “%(v)s”.") % {"v": row["licence_type"]})
    issued = _date(row["issued_on"], "issued_on", problems)
    expires = _date(row["expires_on"], "expires_on", problems) if row.get("expires_on") else None
    if issued and expires and expires < issued:
        problems.append(_("A licence cannot expire before it is issued."))
    return {
        "key": f"{row['licence_type']}:{row['number']}",
        "holder": holder_key,
        "values": {
            "licence_type": licence_type,
            "number": row["number"][:64],
            "issued_on": issued,
            "expires_on": expires,
        },
    }


CHECKERS = {"persons": _check_person, "enterprises": _check_enterprise, "licences": _check_licence}


def parse(kind: str, stream) -> tuple[list[dict], list[RowError], int]:
    """Check every row of a CSV file; returns (clean rows, errors, rows read). Lines are the
    file's (the header is line 1)."""
    reader = csv.DictReader(stream)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED[kind] if c not in header]
    if missing:
        return (
            [],
            [RowError(1, "", [_("Missing columns: %(cols)s") % {"cols": ", ".join(missing)}])],
            0,
        )
    return check_rows(kind, enumerate(reader, start=2))


def check_rows(kind: str, numbered_rows) -> tuple[list[dict], list[RowError], int]:
    """Check every row, given as (line, {column: text}) pairs, whatever they came from (a CSV
    file, an exchange batch); returns (clean rows, errors, rows read). Nothing is written."""
    look = {"towns": _towns(), "types": {t.code: t for t in LicenceType.objects.all()}}
    clean, errors, seen = [], [], {}
    count = 0
    for line, raw in numbered_rows:
        count += 1
        row = {str(k).strip(): str(v or "").strip() for k, v in raw.items() if k}
        problems = [
            _("%(col)s is required.") % {"col": c} for c in REQUIRED[kind] if not row.get(c)
        ]
        if problems:
            errors.append(RowError(line, "", problems))
            continue
        checked = CHECKERS[kind](row, look, problems)
        if checked["key"] in seen:
            problems.append(
                _("%(key)s is also on line %(line)d.")
                % {"key": checked["key"], "line": seen[checked["key"]]}
            )
        seen.setdefault(checked["key"], line)
        checked["line"] = line
        if problems:
            errors.append(RowError(line, checked["key"], problems))
        else:
            clean.append(checked)
    if kind == "persons" and not errors:
        _check_spouses(clean, errors)
    if kind == "licences" and not errors:
        _resolve_holders(clean, errors)
    return clean, errors, count


def _check_spouses(clean: list[dict], errors: list[RowError]) -> None:
    in_file = {row["key"] for row in clean}
    wanted = {row["spouse"] for row in clean if row["spouse"]} - in_file
    known = set(Person.objects.filter(id_number__in=wanted).values_list("id_number", flat=True))
    for row in clean:
        if row["spouse"] and row["spouse"] not in in_file and row["spouse"] not in known:
            errors.append(
                RowError(
                    row["line"],
                    row["key"],
                    [_("No person with the spouse's ID number, in this file or the archives.")],
                )
            )


def _resolve_holders(clean: list[dict], errors: list[RowError]) -> None:
    keys = {row["holder"] for row in clean}
    persons = {p.id_number: p for p in Person.objects.filter(id_number__in=keys)}
    enterprises = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=keys)}
    for row in clean:
        holder = persons.get(row["holder"]) or enterprises.get(row["holder"])
        if holder is None:
            errors.append(
                RowError(
                    row["line"],
                    row["key"],
                    [
                        _("No archive with ID number or credit code %(v)s; import it first.")
                        % {"v": row["holder"]}
                    ],
                )
            )
        row["holder_obj"] = holder


def import_csv(*, actor, kind: str, stream) -> ImportResult:
    """Check, then write everything in one transaction with one audit record."""
    if kind not in COLUMNS:
        raise ValueError(kind)
    clean, errors, count = parse(kind, stream)
    result = ImportResult(kind=kind, rows=count, errors=errors)
    if errors or not clean:
        return result
    with transaction.atomic():
        write(actor=actor, kind=kind, clean=clean, result=result)
    return result


def write(*, actor, kind: str, clean: list[dict], result: ImportResult) -> ImportResult:
    """Write checked rows (``check_rows``' clean list) with one audit record; call inside the
    caller's transaction. Rows are matched by their natural key (ID number, credit code,
    licence type and number), and only a row whose values differ is saved: importing the same
    rows again, or a batch overlapping an earlier one, changes only what changed."""
    if kind == "persons":
        result.created, result.updated = _write_persons(clean)
    elif kind == "enterprises":
        result.created, result.updated = _write_simple(Enterprise, "credit_code", clean)
    else:
        result.created, result.updated = _write_licences(actor, clean)
    result.unchanged = len(clean) - result.created - result.updated
    record(
        actor=actor,
        action=AuditAction.CREATE,
        event_type="archives.imported",
        object_type=f"archives.{kind}",
        summary=f"{kind}: {result.created} created, {result.updated} updated",
        after={
            "kind": kind,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        },
    )
    return result


def _write_simple(model, key_field: str, clean: list[dict]) -> tuple[int, int]:
    existing = {
        getattr(o, key_field): o
        for o in model.objects.filter(**{f"{key_field}__in": [r["key"] for r in clean]})
    }
    created = updated = 0
    for row in clean:
        obj = existing.get(row["key"])
        if obj is None:
            existing[row["key"]] = model.objects.create(**row["values"])
            created += 1
            continue
        changed = [name for name, value in row["values"].items() if _differs(obj, name, value)]
        if changed:
            for name in changed:
                setattr(obj, name, row["values"][name])
            obj.save(update_fields=[*changed, "updated_at"])
            updated += 1
    return created, updated


def _differs(obj, name: str, value) -> bool:
    field = obj._meta.get_field(name)
    if field.is_relation:  # compare ids: no query for the related row
        return getattr(obj, field.attname) != getattr(value, "pk", value)
    return getattr(obj, name) != value


def _write_persons(clean: list[dict]) -> tuple[int, int]:
    created, updated = _write_simple(Person, "id_number", clean)
    spouses = {row["key"]: row["spouse"] for row in clean if row["spouse"]}
    people = {
        p.id_number: p
        for p in Person.objects.filter(id_number__in=set(spouses) | set(spouses.values()))
    }
    for key, spouse_key in spouses.items():
        person, spouse = people[key], people[spouse_key]
        if person.spouse_id == spouse.pk and spouse.spouse_id == person.pk:
            continue
        Person.objects.filter(pk=person.pk).update(spouse=spouse)
        Person.objects.filter(pk=spouse.pk).update(spouse=person)
    return created, updated


def _write_licences(actor, clean: list[dict]) -> tuple[int, int]:
    from .services import issue_licence

    existing = {
        lic.source_ref: lic
        for lic in Licence.objects.filter(
            source=LicenceSource.IMPORT, source_ref__in=[r["key"] for r in clean]
        )
    }
    created = updated = 0
    for row in sorted(clean, key=lambda r: r["values"]["issued_on"]):
        holder = row["holder_obj"]
        found = existing.get(row["key"])
        if found is not None:
            # Recorded once per type and number; a later batch may correct its dates.
            if _amend_licence(actor, found, row["values"]):
                updated += 1
            continue
        issue_licence(
            actor=actor,
            source=LicenceSource.IMPORT,
            source_ref=row["key"],
            person=holder if isinstance(holder, Person) else None,
            enterprise=holder if isinstance(holder, Enterprise) else None,
            **row["values"],
        )
        created += 1
    return created, updated


def _amend_licence(actor, licence: Licence, values: dict) -> bool:
    changed = {
        name: values[name]
        for name in ("issued_on", "expires_on")
        if values.get(name) is not None and getattr(licence, name) != values[name]
    }
    if not changed:
        return False
    before = {name: str(getattr(licence, name)) for name in changed}
    for name, value in changed.items():
        setattr(licence, name, value)
    licence.save(update_fields=[*changed, "updated_at"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        event_type="archives.licence_amended",
        obj=licence,
        before=before,
        after={name: str(value) for name, value in changed.items()},
    )
    return True
