"""Pre-review (智能预审): every field and material checked at once, every problem reported.

Pure functions on an application's definition, answers, data and uploads; nothing is written.
Each problem is ``{"target": "field:<key>" | "material:<code>" | "answers", "code", "message"}``
with the message in the active language, so a page or the API can show them all in one notice
(一次性告知) beside what the applicant typed, which is never discarded.
"""

import datetime as dt
import re
from collections.abc import Collection
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from banhao.catalog import definitions
from banhao.core.identifiers import clean_credit_code, clean_id_number, clean_mobile


def _label(entry: dict) -> str:
    from django.utils import translation

    lang = translation.get_language() or ""
    if lang.startswith("en"):
        return entry.get("label_en") or entry.get("name_en") or entry.get("label") or entry["name"]
    return entry.get("label") or entry["name"]


def check_value(field: dict, value: str) -> tuple[str, str] | None:
    """(code, message) for a bad non-empty value of ``field``, or None if it is acceptable."""
    kind = field["kind"]
    try:
        if kind == "id_number":
            clean_id_number(value)
        elif kind == "credit_code":
            clean_credit_code(value)
        elif kind == "mobile":
            clean_mobile(value)
    except ValidationError as exc:
        return exc.code or "invalid", " ".join(exc.messages)
    if kind == "date":
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return "date_format", _("Enter a date as YYYY-MM-DD.")
        if day > timezone.localdate():
            return "date_future", _("This date is in the future.")
    elif kind == "number":
        try:
            number = Decimal(value)
        except InvalidOperation:
            return "number_format", _("Enter a number.")
        if not number.is_finite() or number < 0:
            return "number_negative", _("Enter a number that is not negative.")
    elif kind == "choice" and value not in {c["value"] for c in field["choices"]}:
        return "choice", _("Choose one of the options offered.")
    elif kind == "boolean" and value not in {"yes", "no"}:
        return "choice", _("Answer yes or no.")
    return None


def check_file(material: dict, name: str, size: int) -> tuple[str, str] | None:
    """(code, message) for an upload that breaks the material's type or size rule."""
    extension = PurePath(name).suffix.lower().lstrip(".")
    if extension not in material["file_types"]:
        return "file_type", _("Files of type “%(ext)s” are not accepted; use %(types)s.") % {
            "ext": extension or "?",
            "types": ", ".join(material["file_types"]).upper(),
        }
    if size > material["max_size_mb"] * 1024 * 1024:
        return "file_size", _("The file is larger than %(limit)d MB.") % {
            "limit": material["max_size_mb"]
        }
    if size == 0:
        return "file_empty", _("The file is empty.")
    return None


def _cross_checks(answers: dict, data: dict) -> list[dict]:
    """Answers and form data that contradict each other."""
    problems = []
    birth = data.get("child_birth_date", "")
    if birth and answers.get("under_one") == "yes" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", birth):
        try:
            day = dt.date.fromisoformat(birth)
        except ValueError:
            day = None
        today = timezone.localdate()
        if day and day <= today and (today - day).days >= 366:
            problems.append(
                {
                    "target": "field:child_birth_date",
                    "code": "contradicts_answer",
                    "message": _(
                        "You answered that the child is under one year old, but this date is "
                        "more than a year ago."
                    ),
                }
            )
    return problems


def review(
    definition: dict,
    answers: dict,
    data: dict,
    uploads: dict[str, tuple[str, int]],
    *,
    positions: list[int] | None = None,
    only_fields: list[str] | None = None,
    only_materials: list[str] | None = None,
    from_records: Collection[str] = (),
) -> list[dict]:
    """Every problem of the application at once, fields first then materials, form order.

    ``uploads`` maps a material code to (file name, size); ``from_records`` names the materials
    taken from a government record with consent (免提交), which need no upload. ``only_*``
    limit the check to what a correction asked for.
    """
    if positions is None:
        positions = definitions.applicable_positions(definition, answers)
    problems: list[dict] = []
    if not positions:
        return [
            {
                "target": "answers",
                "code": "no_items",
                "message": _(
                    "None of this bundle's services applies to your answers; nothing can be "
                    "submitted."
                ),
            }
        ]
    for field in definitions.merged_fields(definition, positions):
        if only_fields is not None and field["key"] not in only_fields:
            continue
        value = str(data.get(field["key"], "") or "").strip()
        target = f"field:{field['key']}"
        if not value:
            if field["required"]:
                problems.append(
                    {
                        "target": target,
                        "code": "required",
                        "message": _("%(label)s is required.") % {"label": _label(field)},
                    }
                )
            continue
        bad = check_value(field, value)
        if bad:
            problems.append(
                {
                    "target": target,
                    "code": bad[0],
                    "message": f"{_label(field)}: {bad[1]}",
                    "detail": bad[1],  # shown beside the field, under its label
                }
            )
    if only_fields is None:
        problems.extend(_cross_checks(answers, data))
    for material in definitions.merged_materials(definition, positions):
        if only_materials is not None and material["code"] not in only_materials:
            continue
        target = f"material:{material['code']}"
        if material["code"] in from_records:
            continue
        upload = uploads.get(material["code"])
        if upload is None:
            if material["required"]:
                problems.append(
                    {
                        "target": target,
                        "code": "material_missing",
                        "message": _("Upload %(name)s.") % {"name": _label(material)},
                    }
                )
            continue
        bad = check_file(material, *upload)
        if bad:
            problems.append(
                {
                    "target": target,
                    "code": bad[0],
                    "message": f"{_label(material)}: {bad[1]}",
                    "detail": bad[1],
                }
            )
    return problems
