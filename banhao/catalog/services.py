"""Writes to the catalogue: publishing a bundle's definition as a new immutable version."""

from functools import lru_cache

from django.db import transaction

from banhao.audit.models import AuditAction
from banhao.audit.services import record

from . import definitions
from .models import BundleVersion, ItemField, ItemMaterial, OneThing, Question


def compile_definition(onething: OneThing) -> dict:
    """The bundle as it stands in the catalogue, as one JSON document (see definitions.py).

    Raises ``DefinitionError`` when a row has no profile, names an unknown question or row, or
    the dependencies form a cycle, so a broken edit is never published.
    """
    rows = list(
        onething.items.select_related("item__profile", "item__department", "rule").order_by(
            "position"
        )
    )
    item_ids = [row.item_id for row in rows]
    fields_by_item: dict[int, list[ItemField]] = {}
    for ref in ItemField.objects.filter(item_id__in=item_ids).select_related("field"):
        fields_by_item.setdefault(ref.item_id, []).append(ref)
    materials_by_item: dict[int, list[ItemMaterial]] = {}
    for material_ref in ItemMaterial.objects.filter(item_id__in=item_ids).select_related(
        "material"
    ):
        materials_by_item.setdefault(material_ref.item_id, []).append(material_ref)
    questions = list(Question.objects.filter(onething=onething).order_by("position"))
    question_keys = {q.key for q in questions}

    fields: dict[str, dict] = {}
    materials: dict[str, dict] = {}
    items: list[dict] = []
    for row in rows:
        profile = getattr(row.item, "profile", None)
        if profile is None:
            raise definitions.DefinitionError(
                f"Row {row.position} ({row.item.name}) has no service item profile."
            )
        rule = getattr(row, "rule", None)
        condition = rule.condition if rule else {}
        definitions.check_condition(condition, question_keys)
        if rule and rule.department_question and rule.department_question not in question_keys:
            raise definitions.DefinitionError(
                f"Row {row.position} takes its department from unknown question "
                f"{rule.department_question!r}."
            )
        if row.county_responsible.is_placeholder and not (rule and rule.department_question):
            raise definitions.DefinitionError(
                f"Row {row.position} is handled by a collective placeholder; name the question "
                "that picks the real department."
            )
        item_fields = sorted(fields_by_item.get(row.item_id, []), key=lambda r: (r.position, r.pk))
        item_materials = sorted(
            materials_by_item.get(row.item_id, []), key=lambda r: (r.position, r.pk)
        )
        for ref in item_fields:
            f = ref.field
            fields[f.key] = {
                "label": f.label,
                "label_en": f.label_en,
                "kind": f.kind,
                "choices": f.choices,
                "help": f.help,
                "help_en": f.help_en,
            }
        for material_ref in item_materials:
            m = material_ref.material
            materials[m.code] = {
                "name": m.name,
                "name_en": m.name_en,
                "file_types": [t.strip() for t in m.file_types.split(",") if t.strip()],
                "max_size_mb": m.max_size_mb,
                "note": m.note,
                "note_en": m.note_en,
                # Only where a record holds it, so other bundles' digests stay as they were.
                **({"record": m.record_spec()} if m.record_kind else {}),
            }
            definitions.check_record(m.record_spec())
        items.append(
            {
                "position": row.position,
                "item_id": row.item_id,
                "name": row.item.name,
                "name_en": row.item.name_en,
                "department_id": row.county_responsible_id,
                "department": row.county_responsible.name,
                "department_en": row.county_responsible.name_en,
                "department_question": rule.department_question if rule else "",
                "legal_days": profile.legal_days,
                "committed_days": profile.committed_days,
                "fee_yuan": str(profile.fee_yuan),
                "fee_note": profile.fee_note,
                "steps": profile.steps,
                "visits": profile.visits,
                "result_label": profile.result_label,
                "result_label_en": profile.result_label_en,
                "result_pattern": profile.result_pattern,
                "result_example": profile.result_example,
                "condition": condition,
                "condition_text": rule.condition_text if rule else "",
                "condition_text_en": rule.condition_text_en if rule else "",
                "depends_on": sorted(rule.depends_on) if rule else [],
                "waits_for": sorted(rule.waits_for) if rule else [],
                "replaces_materials": list(rule.replaces_materials) if rule else [],
                "fields": [{"key": r.field.key, "required": r.required} for r in item_fields],
                "materials": [
                    {"code": r.material.code, "required": r.required} for r in item_materials
                ],
            }
        )
    definitions.topological_order(items)
    return {
        "onething": {
            "number": onething.number,
            "name": onething.name,
            "name_en": onething.name_en,
            "audience": onething.audience,
            "lead_id": onething.county_lead_id,
        },
        "questions": [
            {
                "key": q.key,
                "text": q.text,
                "text_en": q.text_en,
                "kind": q.kind,
                "choices": q.choices,
                "help": q.help,
                "help_en": q.help_en,
            }
            for q in questions
        ],
        "fields": fields,
        "materials": materials,
        "items": items,
    }


@transaction.atomic
def publish_bundle(onething: OneThing, *, actor=None) -> BundleVersion:
    """Publish the bundle's current definition as a new version, unless it is unchanged.

    Applications begun earlier keep their version. Seeding passes no actor and writes no audit
    record (as every loader); an administrator's publication is audited.
    """
    # Lock the bundle row so two administrators saving at once get consecutive numbers.
    OneThing.objects.select_for_update().filter(pk=onething.pk).first()
    definition = compile_definition(onething)
    digest = definitions.digest(definition)
    latest = BundleVersion.objects.filter(onething=onething).order_by("-number").first()
    if latest is not None and latest.digest == digest:
        return latest
    number = (latest.number if latest else 0) + 1
    version = BundleVersion.objects.create(
        onething=onething, number=number, digest=digest, definition=definition
    )
    if actor is not None:
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            event_type="catalog.bundle_published",
            obj=version,
            summary=f"{onething.name} v{number}",
            after={"number": number, "digest": digest},
        )
    return version


def latest_version(onething: OneThing) -> BundleVersion | None:
    return BundleVersion.objects.filter(onething=onething).order_by("-number").first()


@lru_cache(maxsize=512)
def definition_of(version_id: int, digest: str) -> dict:
    """A published definition, loaded and parsed once per process.

    Versions never change, so every step of an application can read its rules without loading
    and parsing the JSON again. The digest is part of the key so a reused id (a test database
    rolled back) can never serve another definition. The dict is shared: read, never modify.
    """
    return BundleVersion.objects.values_list("definition", flat=True).get(
        pk=version_id, digest=digest
    )


@lru_cache(maxsize=512)
def version_number_of(version_id: int) -> int:
    return BundleVersion.objects.values_list("number", flat=True).get(pk=version_id)
