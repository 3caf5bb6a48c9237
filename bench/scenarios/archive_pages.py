"""Archive pages at volume (no scenario of its own: ``banhao bench policies`` calls it).

``measure_archive_pages(db, log)`` takes a throwaway database that already holds the persons
and enterprises (500,000 and 50,000 in the policies scenario), adds a citizen with a full archive
(licences, benefits, a spouse), an enterprise account, and a county leader with a recorded
purpose, then serves the site (``bench.serve``) and times GETs, one after
another, of the holder's own archive page ("My archive") and of staff opening that archive.
Target: p95 under 150 ms.
"""

from __future__ import annotations

import json

import httpx

from bench import login, serve, time_page

WARM_UP = 40
PASSWORD = "Bench-archives-2024!"  # noqa: S105 (throwaway database)

SETUP = r"""
import datetime as dt, json
from decimal import Decimal
from banhao.accounts import services as accounts
from banhao.accounts.models import User
from banhao.accounts.roles import Role
from banhao.archives import services
from banhao.testing import verify
from banhao.archives.models import Enterprise, LicenceSource, LicenceType, Person, PurposeKind
PASSWORD = %(password)r
person = Person.objects.order_by("id")[1000]
spouse = Person.objects.exclude(gender=person.gender).order_by("id")[2000]
Person.objects.filter(pk=person.pk).update(spouse=spouse, hukou_address="沂源县南麻街道振兴路12号")
firm = Enterprise.objects.order_by("id")[500]
citizen = User.objects.filter(username="bench_citizen").first() or accounts.register_citizen(
    username="bench_citizen", password=PASSWORD, full_name=person.name,
    id_number=person.id_number, phone="")
boss = User.objects.filter(username="bench_enterprise").first() or accounts.register_enterprise(
    username="bench_enterprise", password=PASSWORD, organisation_name=firm.name,
    credit_code=firm.credit_code, contact_name="", phone="")
# Verified in person, as a holder must be before an archive opens (ADR 0014).
if not citizen.is_identity_verified:
    citizen = verify(citizen, person.id_number)
if not boss.is_identity_verified:
    boss = verify(boss, firm.credit_code)
leader = User.objects.filter(username="bench_leader").first() or accounts.create_staff(
    actor=None, username="bench_leader", password=PASSWORD, role=Role.COUNTY_LEADER,
    full_name="bench", department=None, venue=None, phone="")
types = list(LicenceType.objects.all())
today = dt.date.today()
for i, lt in enumerate(types * 2):
    holder = {"enterprise": firm} if lt.holder == "enterprise" else {"person": person}
    services.issue_licence(actor=None, licence_type=lt, number=f"B{i:05d}",
        issued_on=today - dt.timedelta(days=400 * (i + 1)), source=LicenceSource.IMPORT,
        source_ref=f"bench:{i}", **holder)
for i in range(15):
    services.record_benefit(actor=None, title=f"补贴{i}", amount=Decimal("100.00"),
        granted_on=today - dt.timedelta(days=30 * i), source="import",
        source_ref=f"bench:b{i}", person=person)
services.record_access_purpose(actor=leader, kind=PurposeKind.OTHER,
    reference="benchmark of the archive pages", person=person)
print(json.dumps({"person": person.pk, "enterprise": firm.pk}))
"""


def measure_archive_pages(db, log, requests: int = 400) -> list[dict]:
    """Time the holder's and a staff member's archive pages; records with p50/p95."""
    import tempfile

    static_dir = None
    if "BANHAO_VAR_DIR" not in db.env:  # PostgreSQL: keep collected files out of the checkout
        static_dir = tempfile.TemporaryDirectory(prefix="banhao-bench-static-")
        db.env["BANHAO_VAR_DIR"] = static_dir.name
    try:
        db.manage("collectstatic", "--noinput", "--verbosity", "0")
        return _measure(db, log, requests)
    finally:
        if static_dir is not None:
            db.env.pop("BANHAO_VAR_DIR", None)
            static_dir.cleanup()


def _measure(db, log, requests: int) -> list[dict]:
    log("Archive pages: adding a holder, an enterprise account and a staff purpose …")
    ids = json.loads(
        db.manage("shell", "-c", SETUP % {"password": PASSWORD}).strip().splitlines()[-1]
    )
    pages = [
        ("bench_citizen", "/archives/mine/", "archive page: holder's own (person)"),
        ("bench_enterprise", "/archives/mine/", "archive page: holder's own (enterprise)"),
        (
            "bench_leader",
            f"/archives/persons/{ids['person']}/",
            "archive page: staff with a recorded purpose (audited)",
        ),
    ]
    records = []
    with serve(db.env) as server:
        for username, path, operation in pages:
            with httpx.Client(base_url=server.base_url, timeout=30) as client:
                login(client, username, PASSWORD)
                records.append(
                    time_page(
                        client,
                        path,
                        requests,
                        warm_up=WARM_UP,
                        scenario="policies",
                        operation=operation,
                        database=db.label,
                        log=log,
                    )
                )
    return records
