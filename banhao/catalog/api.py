from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema

from . import selectors

router = Router(tags=["catalog"])


class DepartmentRef(Schema):
    name: str
    name_en: str


class OneThingOut(Schema):
    number: int
    name: str
    name_en: str
    stage: str
    audience: str
    county_lead: DepartmentRef | None


class OneThingRowOut(Schema):
    position: int
    item: str
    item_en: str
    city_responsible: DepartmentRef
    city_responsible_as_written: str
    county_responsible: DepartmentRef
    county_responsible_as_written: str

    @staticmethod
    def resolve_item(obj) -> str:
        return obj.item.name

    @staticmethod
    def resolve_item_en(obj) -> str:
        return obj.item.name_en


class OneThingDetailOut(OneThingOut):
    stage_as_written: str
    province_lead: DepartmentRef | None
    city_lead: DepartmentRef | None
    items: list[OneThingRowOut]

    @staticmethod
    def resolve_items(obj) -> list:
        return list(obj.items.all())


@router.get("/onethings/", response=list[OneThingOut], auth=None)
def list_onethings(request):
    return list(selectors.public_onethings())


@router.get("/onethings/{number}/", response=OneThingDetailOut, auth=None)
def get_onething(request, number: int):
    onething = selectors.onething_with_items(number)
    if onething is None:
        raise Http404(_("No such one-thing."))
    return onething
