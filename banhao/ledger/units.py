"""Reading a unit list as the gazette (or a ledger spreadsheet) writes it.

Lists are separated by spaces (Annex 1), "、" (the 17 measures, the payment plan) or "，"
(responsible units), never inside brackets. Two kinds of phrase are not unit names:

- "各镇人民政府" (also written "各镇人民政府（含街道办事处、经济开发区管委会，下同）") means every
  township-level government: the subdistrict offices, the town governments and the development
  zone's committee (measure 一 says so). It fans out to each of them.
- "县有关部门单位" and its like mean "the county departments concerned": which ones is not said,
  so nothing is derived from them; they stay in the as-written text (docs/adr/0006).
"""

import re
from dataclasses import dataclass, field

from banhao.org.models import Department, DepartmentLevel

TOWNSHIP_PHRASE = "各镇人民政府"
COLLECTIVE_PHRASES = frozenset({"县有关部门单位", "县有关部门", "各有关单位", "各有关部门单位"})
_OPEN, _CLOSE = "（(〔[", "）)〕]"
_SEPARATORS = re.compile(r"[\s、，,；;]")


def split_units(text: str) -> list[str]:
    """The phrases of a unit list, in order, split outside brackets."""
    parts, current, depth = [], [], 0
    for char in text:
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(0, depth - 1)
        if depth == 0 and _SEPARATORS.match(char):
            if current:
                parts.append("".join(current))
            current = []
            continue
        current.append(char)
    if current:
        parts.append("".join(current))
    return parts


@dataclass
class Resolved:
    """What a unit list stands for: departments (each with the phrase it came from), collective
    phrases that name no unit, and names that match no unit."""

    units: list[tuple[str, Department]] = field(default_factory=list)
    collective: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def township_governments() -> list[Department]:
    return list(
        Department.objects.filter(level=DepartmentLevel.TOWNSHIP, is_active=True).order_by(
            "sort_order", "id"
        )
    )


def resolve_units(text: str, directory, townships: list[Department] | None = None) -> Resolved:
    """Resolve a unit list with an ``org.selectors.DepartmentDirectory``."""
    result = Resolved()
    seen: set[int] = set()
    for phrase in split_units(text):
        if phrase.startswith(TOWNSHIP_PHRASE):
            for dept in townships if townships is not None else township_governments():
                if dept.pk not in seen:
                    seen.add(dept.pk)
                    result.units.append((phrase, dept))
            continue
        if phrase in COLLECTIVE_PHRASES:
            result.collective.append(phrase)
            continue
        try:
            dept = directory.resolve(phrase)
        except (Department.DoesNotExist, Department.MultipleObjectsReturned):
            result.unknown.append(phrase)
            continue
        if dept.is_placeholder:
            result.unknown.append(phrase)
        elif dept.pk not in seen:
            seen.add(dept.pk)
            result.units.append((phrase, dept))
    return result
