import datetime as dt
from decimal import Decimal

import pytest

from banhao.archives.errors import ArchiveError
from banhao.archives.models import Benefit, BenefitSource
from banhao.archives.services import record_benefit
from banhao.audit.models import AuditRecord
from banhao.testing import enterprise_archive

pytestmark = pytest.mark.django_db


def test_benefit_is_recorded_once_per_source_reference_and_audited():
    enterprise = enterprise_archive()
    first = record_benefit(
        actor=None,
        title="研发费用补助",
        amount=Decimal("50000"),
        granted_on=dt.date(2026, 3, 1),
        source=BenefitSource.POLICY,
        source_ref="grant:7",
        enterprise=enterprise,
    )
    again = record_benefit(
        actor=None,
        title="研发费用补助",
        amount=Decimal("50000"),
        granted_on=dt.date(2026, 3, 1),
        source=BenefitSource.POLICY,
        source_ref="grant:7",
        enterprise=enterprise,
    )
    assert again.pk == first.pk
    assert list(enterprise.benefits.values_list("title", flat=True)) == ["研发费用补助"]
    audit = AuditRecord.objects.get(event_type="archives.benefit_recorded")
    assert audit.subject_key == enterprise.credit_code
    assert audit.after["amount"] == "50000"


def test_benefit_needs_exactly_one_holder():
    with pytest.raises(ArchiveError) as refused:
        record_benefit(
            actor=None, title="x", granted_on=dt.date(2026, 1, 1), source=BenefitSource.MANUAL
        )
    assert refused.value.code == "one_holder"
    assert not Benefit.objects.exists()
