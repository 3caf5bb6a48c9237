"""Demo archives for the demo citizen and enterprise accounts (``banhao demo``): a family with a
marriage certificate (prefill of the newborn one-thing), licences near expiry (reminders and
renewal), benefits. Idempotent: archives and licences that exist are kept."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from banhao.accounts.models import User
from banhao.org.selectors import townships

from . import services
from .models import BenefitSource, Enterprise, Gender, LicenceSource, LicenceType, Person


def _spouse_id() -> str:
    """A valid ID number of a woman born in 1990, for the demo citizen's spouse."""
    from stdnum.cn import ric

    body = "370323" + "19900615" + "024"
    return body + ric.calc_check_digit(body + "0")


@transaction.atomic
def load_demo_archives() -> int:
    """Returns how many licences were added."""
    citizen = User.objects.filter(username="citizen").first()
    firm_user = User.objects.filter(username="enterprise").first()
    town = townships().filter(name="南麻街道").first() or townships().first()
    # The demo holders' archives are keyed on their verified identifiers (accounts.demo).
    if citizen is None or firm_user is None or town is None:
        return 0
    if not citizen.id_number or not firm_user.credit_code:
        return 0
    today = timezone.localdate()
    home = "沂源县南麻街道振兴路12号"
    birth = citizen.id_number[6:14]
    person, _ = Person.objects.get_or_create(
        id_number=citizen.id_number,
        defaults={
            "name": citizen.full_name,
            "gender": Gender.MALE if int(citizen.id_number[16]) % 2 else Gender.FEMALE,
            "birth_date": dt.date(int(birth[:4]), int(birth[4:6]), int(birth[6:])),
            "phone": citizen.phone,
            "township": town,
            "address": home,
            "hukou_address": home,
        },
    )
    spouse, _ = Person.objects.get_or_create(
        id_number=_spouse_id(),
        defaults={
            "name": "李秀英",
            "gender": Gender.FEMALE,
            "birth_date": dt.date(1990, 6, 15),
            "township": town,
            "address": home,
            "hukou_address": home,
            "spouse": person,
        },
    )
    if person.spouse_id != spouse.pk:
        person.spouse = spouse
        person.save(update_fields=["spouse"])
    firm, _ = Enterprise.objects.get_or_create(
        credit_code=firm_user.credit_code,
        defaults={
            "name": firm_user.organisation_name,
            "legal_representative": firm_user.full_name or "李红",
            "legal_representative_id": spouse.id_number,
            "industry": "H",
            "registered_capital": Decimal("50"),
            "established_on": dt.date(2019, 4, 18),
            "headcount": 14,
            "township": town,
            "address": "沂源县历山街道鲁山路88号",
        },
    )
    types = {t.code: t for t in LicenceType.objects.all()}
    added = 0
    licences = [
        (person, "marriage_certificate", "J370323-2016-000456", dt.date(2016, 10, 1), None),
        (spouse, "marriage_certificate", "J370323-2016-000456", dt.date(2016, 10, 1), None),
        (person, "social_security_card", "A23456789", today - dt.timedelta(days=3627), None),
        (firm, "business_licence", firm.credit_code, dt.date(2019, 4, 18), None),
        (
            firm,
            "food_business_licence",
            "JY23703230000456",
            today - dt.timedelta(days=1826 - 60),
            today + dt.timedelta(days=60),
        ),
    ]
    for holder, code, number, issued, expires in licences:
        if code not in types:
            continue
        before = holder.licences.count()
        services.issue_licence(
            actor=None,
            licence_type=types[code],
            number=number,
            issued_on=issued,
            expires_on=expires,
            source=LicenceSource.IMPORT,
            source_ref=f"demo:{code}:{holder.pk}",
            **({"person": holder} if isinstance(holder, Person) else {"enterprise": holder}),
        )
        added += holder.licences.count() - before
    services.record_benefit(
        actor=None,
        title="城乡居民基本医疗保险参保财政补助",
        amount=Decimal("640.00"),
        granted_on=dt.date(today.year, 1, 15),
        source=BenefitSource.IMPORT,
        source_ref=f"demo:benefit:{person.pk}",
        person=person,
    )
    services.record_benefit(
        actor=None,
        title="小微企业稳岗返还",
        amount=Decimal("4200.00"),
        granted_on=dt.date(today.year, 3, 10),
        source=BenefitSource.IMPORT,
        source_ref=f"demo:benefit:{firm.pk}",
        enterprise=firm,
    )
    return added
