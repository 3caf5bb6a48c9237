from ninja import Router, Schema

from . import selectors

router = Router(tags=["catalog"])


class OneThingOut(Schema):
    number: int
    name: str
    name_en: str


@router.get("/onethings/", response=list[OneThingOut], auth=None)
def list_onethings(request):
    return list(selectors.public_onethings())
