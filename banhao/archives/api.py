"""The holder's own archive over the API (citizens and enterprises; nobody else's)."""

import datetime as dt
from decimal import Decimal

from django.http import Http404
from ninja import Router, Schema

from banhao.accounts.roles import PUBLIC_ROLES

from . import selectors

router = Router(tags=["archives"])


class LicenceOut(Schema):
    type_code: str
    type_name: str
    number: str
    issued_on: dt.date
    expires_on: dt.date | None
    state: str


class ApplicationOut(Schema):
    reference: str
    onething: str
    state: str


class BenefitOut(Schema):
    title: str
    amount: Decimal | None
    granted_on: dt.date


class ArchiveOut(Schema):
    kind: str
    identifier: str
    name: str
    licences: list[LicenceOut]
    upcoming_expiries: list[LicenceOut]
    applications: list[ApplicationOut]
    benefits: list[BenefitOut]


def _licence(lic) -> dict:
    return {
        "type_code": lic.licence_type.code,
        "type_name": lic.licence_type.name,
        "number": lic.number,
        "issued_on": lic.issued_on,
        "expires_on": lic.expires_on,
        "state": lic.state,
    }


@router.get("/mine", response=ArchiveOut, summary="The caller's own archive")
def mine(request):
    if request.user.role not in PUBLIC_ROLES:
        raise Http404
    holder = selectors.archive_of_user(request.user)
    if holder is None:
        raise Http404
    view = selectors.archive_view(holder, reveal=True)
    return {
        "kind": "person" if view.is_person else "enterprise",
        "identifier": view.identifier,
        "name": holder.name,
        "licences": [_licence(lic) for lic in view.licences],
        "upcoming_expiries": [_licence(lic) for lic in view.upcoming],
        "applications": [
            {"reference": a.reference, "onething": a.onething.name, "state": a.state}
            for a in view.applications
        ],
        "benefits": [
            {"title": b.title, "amount": b.amount, "granted_on": b.granted_on}
            for b in view.benefits
        ],
    }
