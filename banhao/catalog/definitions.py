"""Compiled bundle definitions and the pure rules on them.

A compiled definition is the JSON stored in ``BundleVersion.definition``. Everything an
application needs (which items apply, the merged form, the deduplicated materials, the time
limits, the dependency graph) is computed from it alone, never from the editable catalogue
rows, so an administrator's later change cannot alter an application already begun.

Conditions are a small expression language on the questionnaire's answers::

    {}                                    always
    {"q": "in_wedlock", "eq": "yes"}      answer equals a value
    {"q": "food_kind", "in": ["hot", "cold"]}
    {"all": [cond, ...]}, {"any": [cond, ...]}, {"not": cond}
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any


class DefinitionError(Exception):
    """A bundle's definition contradicts itself (unknown row, a dependency cycle…)."""


# --- conditions --------------------------------------------------------------------------


def check_condition(cond: dict, question_keys: set[str]) -> None:
    """Raise DefinitionError unless ``cond`` is well formed and names only known questions."""
    if not cond:
        return
    if not isinstance(cond, dict):
        raise DefinitionError(f"A condition must be an object, got {cond!r}.")
    if "all" in cond or "any" in cond:
        parts = cond.get("all", cond.get("any"))
        if not isinstance(parts, list) or not parts:
            raise DefinitionError(f"'all'/'any' needs a non-empty list: {cond!r}.")
        for part in parts:
            check_condition(part, question_keys)
        return
    if "not" in cond:
        check_condition(cond["not"], question_keys)
        return
    if "q" in cond and ("eq" in cond or "in" in cond):
        if cond["q"] not in question_keys:
            raise DefinitionError(f"The condition names an unknown question {cond['q']!r}.")
        return
    raise DefinitionError(f"Unknown condition {cond!r}.")


def evaluate(cond: dict, answers: dict[str, Any]) -> bool:
    """Whether ``cond`` holds for ``answers``; an unanswered question satisfies nothing."""
    if not cond:
        return True
    if "all" in cond:
        return all(evaluate(part, answers) for part in cond["all"])
    if "any" in cond:
        return any(evaluate(part, answers) for part in cond["any"])
    if "not" in cond:
        return not evaluate(cond["not"], answers)
    value = answers.get(cond["q"])
    if value is None:
        return False
    if "eq" in cond:
        return value == cond["eq"]
    return value in cond["in"]


# --- the dependency graph ----------------------------------------------------------------


def effective_deps(item: dict, positions) -> list[int]:
    """The rows an item waits for among ``positions``: everything it needs, plus the rows it
    waits for only when they apply."""
    chosen = set(positions)
    return sorted({*item["depends_on"], *(w for w in item.get("waits_for", []) if w in chosen)})


def topological_order(items: list[dict]) -> list[int]:
    """Row positions in an order where every row comes after the rows it depends on (or waits
    for)."""
    positions = {item["position"] for item in items}
    deps = {
        item["position"]: sorted({*item["depends_on"], *item.get("waits_for", [])})
        for item in items
    }
    for position, needs in deps.items():
        for need in needs:
            if need not in positions:
                raise DefinitionError(f"Row {position} depends on unknown row {need}.")
            if need == position:
                raise DefinitionError(f"Row {position} depends on itself.")
    order: list[int] = []
    state: dict[int, str] = {}

    def visit(position: int, path: tuple[int, ...]) -> None:
        if state.get(position) == "done":
            return
        if state.get(position) == "visiting":
            cycle = " → ".join(str(p) for p in (*path, position))
            raise DefinitionError(f"Dependency cycle: {cycle}.")
        state[position] = "visiting"
        for need in deps[position]:
            visit(need, (*path, position))
        state[position] = "done"
        order.append(position)

    for position in sorted(deps):
        visit(position, ())
    return order


def items_by_position(definition: dict) -> dict[int, dict]:
    return {item["position"]: item for item in definition["items"]}


def applicable_positions(definition: dict, answers: dict[str, Any]) -> list[int]:
    """Rows that apply to these answers: their condition holds and every row they need applies."""
    by_position = items_by_position(definition)
    applies: dict[int, bool] = {}
    for position in topological_order(definition["items"]):
        item = by_position[position]
        applies[position] = evaluate(item["condition"], answers) and all(
            applies[need] for need in item["depends_on"]
        )
    return [p for p in sorted(applies) if applies[p]]


def critical_path_days(items: list[dict], positions: list[int] | None = None) -> int:
    """Committed working days along the longest chain of dependencies among ``positions``."""
    chosen = set(positions) if positions is not None else {i["position"] for i in items}
    subset = [i for i in items if i["position"] in chosen]
    by_position = {i["position"]: i for i in subset}
    finish: dict[int, int] = {}
    trimmed = [
        {**i, "depends_on": [d for d in effective_deps(i, chosen) if d in chosen], "waits_for": []}
        for i in subset
    ]
    for position in topological_order(trimmed):
        item = by_position[position]
        start = max((finish[d] for d in effective_deps(item, chosen) if d in chosen), default=0)
        finish[position] = start + item["committed_days"]
    return max(finish.values(), default=0)


# --- merged form and materials -----------------------------------------------------------


def merged_fields(definition: dict, positions: list[int]) -> list[dict]:
    """The union of the rows' fields, each once, required if any row requires it, in the order
    they first appear."""
    by_position = items_by_position(definition)
    merged: dict[str, dict] = {}
    for position in positions:
        for ref in by_position[position]["fields"]:
            entry = merged.get(ref["key"])
            if entry is None:
                merged[ref["key"]] = {
                    "key": ref["key"],
                    **definition["fields"][ref["key"]],
                    "required": ref["required"],
                    "items": [position],
                }
            else:
                entry["required"] = entry["required"] or ref["required"]
                entry["items"].append(position)
    return list(merged.values())


def merged_materials(definition: dict, positions: list[int]) -> list[dict]:
    """The union of the rows' materials, each uploaded once (one-time notice lists them all)."""
    by_position = items_by_position(definition)
    merged: dict[str, dict] = {}
    for position in positions:
        for ref in by_position[position]["materials"]:
            entry = merged.get(ref["code"])
            if entry is None:
                merged[ref["code"]] = {
                    "code": ref["code"],
                    **definition["materials"][ref["code"]],
                    "required": ref["required"],
                    "items": [position],
                }
            else:
                entry["required"] = entry["required"] or ref["required"]
                entry["items"].append(position)
    return list(merged.values())


# --- materials held by government records (免提交, ADR 0019) ------------------------------

RECORD_KINDS = ("identity", "household", "licence")
RECORD_HOLDERS = ("applicant", "spouse", "mother", "father", "couple", "child", "enterprise")


def check_record(spec: dict) -> None:
    """Raise DefinitionError unless ``spec`` (a material's ``record``) is well formed."""
    if not spec:
        return
    kind, holder = spec.get("kind"), spec.get("holder")
    if kind not in RECORD_KINDS:
        raise DefinitionError(f"Unknown record kind {kind!r}.")
    if holder not in RECORD_HOLDERS:
        raise DefinitionError(f"Unknown record holder {holder!r}.")
    if (kind == "licence") != bool(spec.get("licence_type")):
        raise DefinitionError("A licence record names its licence type, and only a licence does.")
    if holder == "enterprise" and kind != "licence":
        raise DefinitionError("An enterprise holds licences only, not a person's records.")
    if (holder == "child") != bool(spec.get("holder_field")):
        raise DefinitionError("A child's record names the form field with the child's ID number.")


def record_materials(materials: list[dict]) -> list[dict]:
    """Those of ``materials`` (merged) that a government record can hold."""
    return [m for m in materials if m.get("record")]


# --- reform figures (四减一增) ------------------------------------------------------------

BUNDLE_STEPS = 4  # apply once, one acceptance, departments in parallel, one result
BUNDLE_VISITS = 1  # at most one visit to the window (none online)


def reform_figures(
    definition: dict, positions: list[int] | None = None, from_records: Iterable[str] | None = None
) -> dict[str, Any]:
    """Forms, materials, visits, steps, days and fees if each item were applied for separately,
    against the bundle (one form; materials deduplicated, and those another item in the bundle
    issues no longer asked for; days along the critical path).

    Materials taken from a government record (免提交) are not submitted either: for one
    application, ``from_records`` names the materials it took so, and they leave the bundled
    count (``records`` says how many). For a bundle (None), nobody's records are known yet:
    the bundled count is what anyone may be asked for, and ``records_possible`` says how many
    of those a verified applicant's records can hold."""
    items = definition["items"]
    chosen = positions if positions is not None else [i["position"] for i in items]
    chosen_items = [i for i in items if i["position"] in set(chosen)]
    separate_materials = sum(len(i["materials"]) for i in chosen_items)
    merged = merged_materials(definition, chosen)
    used = set(from_records or ())
    taken = sum(1 for m in merged if m["code"] in used)
    bundle_materials = len(merged) - taken
    # A material the bundle produces itself (e.g. the birth certificate the household
    # registration needs) is passed on as data: counted separately, not in the bundle.
    separate_materials += sum(len(i.get("replaces_materials", [])) for i in chosen_items)
    separate = {
        "forms": len(chosen_items),
        "materials": separate_materials,
        "visits": sum(i["visits"] for i in chosen_items),
        "steps": sum(i["steps"] for i in chosen_items),
        "days": sum(i["committed_days"] for i in chosen_items),
        "fees": str(sum((Decimal(i["fee_yuan"]) for i in chosen_items), Decimal("0"))),
    }
    bundled = {
        "forms": 1 if chosen_items else 0,
        "materials": bundle_materials,
        "visits": min(BUNDLE_VISITS, separate["visits"]),
        "steps": min(BUNDLE_STEPS, separate["steps"]),
        "days": critical_path_days(items, chosen),
        "fees": separate["fees"],
    }
    return {
        "separate": separate,
        "bundled": bundled,
        "saved": {
            key: (separate[key] - bundled[key])
            for key in ("forms", "materials", "visits", "steps", "days")
        },
        "records": taken,
        "records_possible": len(record_materials(merged)),
    }


def digest(definition: dict) -> str:
    text = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
