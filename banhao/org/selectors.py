"""Reads of regions and departments, and resolving a unit name as written in the gazette."""

from django.db.models import QuerySet

from .models import Department, DepartmentAlias, Region, RegionLevel

COUNTY_CODE = "370323"  # 沂源县


def county() -> Region:
    """Yiyuan County, found by its division code."""
    return Region.objects.get(code=COUNTY_CODE)


def townships(*, include_dev_zone: bool = True) -> QuerySet[Region]:
    """The county's township-level units: subdistricts, towns and (by default) the dev zone."""
    qs = Region.objects.filter(parent__code=COUNTY_CODE, level=RegionLevel.TOWNSHIP)
    if not include_dev_zone:
        qs = qs.exclude(kind="dev_zone")
    return qs.order_by("sort_order", "id")


def resolve_department(name: str, level: str | None = None) -> Department:
    """The department a gazette spelling refers to: its canonical name or one of its aliases.

    ``level`` is needed only for names that stand at several levels (the collective
    placeholder "设列严重失信主体名单的有关部门"). Raises ``Department.DoesNotExist`` or
    ``Department.MultipleObjectsReturned``.
    """
    qs = Department.objects.filter(name=name)
    if level:
        qs = qs.filter(level=level)
    found = list(qs[:2])
    if not found:
        alias = DepartmentAlias.objects.select_related("department").filter(name=name).first()
        if alias is not None and (not level or alias.department.level == level):
            return alias.department
        raise Department.DoesNotExist(f"No department is written {name!r} (level {level}).")
    if len(found) > 1:
        raise Department.MultipleObjectsReturned(f"{name!r} stands at several levels; give one.")
    return found[0]


class DepartmentDirectory:
    """All departments and aliases in memory, for resolving many names with two queries."""

    def __init__(self) -> None:
        self._by_name: dict[str, list[Department]] = {}
        for dept in Department.objects.all():
            self._by_name.setdefault(dept.name, []).append(dept)
        for alias in DepartmentAlias.objects.select_related("department"):
            self._by_name.setdefault(alias.name, []).append(alias.department)

    def resolve(self, name: str, level: str | None = None) -> Department:
        candidates = [d for d in self._by_name.get(name, []) if not level or d.level == level]
        if not candidates:
            raise Department.DoesNotExist(f"No department is written {name!r} (level {level}).")
        if len(candidates) > 1:
            raise Department.MultipleObjectsReturned(
                f"{name!r} stands at several levels; give one."
            )
        return candidates[0]
