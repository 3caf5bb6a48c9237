"""Building one-thing applications through the real services, for tests and benchmarks."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from banhao.catalog.models import OneThing
from banhao.testing import valid_credit_code, valid_id_number

from .. import services

NEWBORN_ANSWERS = {
    "born_in_city": "yes",
    "in_wedlock": "yes",
    "parent_local_hukou": "yes",
    "under_one": "yes",
    "mother_employee_insured": "yes",
    "parenting_guidance": "yes",
}

RESTAURANT_ANSWERS = {
    "has_business_licence": "yes",
    "food_kind": "hot",
    "outdoor_sign": "yes",
    "assembly_venue": "yes",
}

# One valid result per newborn row, in the formats the bundle asks for.
NEWBORN_RESULTS = {
    1: "R370123456",
    2: "370323202611260001",
    3: "370323202611260012",
    4: "A12345678",
    5: "2026112600001234",
    6: "37032320261126",
    7: "YE-2026-0001",
}
RESTAURANT_RESULTS = {
    1: None,  # the credit code itself, filled in per application
    2: "JY23703230012345",
    3: "源执法招字〔2026〕0123号",
    4: "源消安检字〔2026〕第0456号",
}


def newborn_data() -> dict:
    birth = timezone.localdate() - dt.timedelta(days=20)
    return {
        "child_name": "王小宝",
        "child_sex": "m",
        "child_birth_date": birth.isoformat(),
        "birth_hospital": "沂源县人民医院",
        "mother_name": "李芳",
        "mother_id_number": valid_id_number("19950312"),
        "father_name": "王强",
        "father_id_number": valid_id_number("19930805"),
        "contact_mobile": "13905331234",
        "vaccination_clinic": "county_cdc",
        "marriage_cert_number": "J370323-2021-000123",
        "hukou_address": "沂源县南麻街道振兴路12号",
        "mailing_address": "沂源县南麻街道振兴路12号",
        "maternity_cost": "6850.50",
        "bank_name": "中国农业银行沂源支行",
        "bank_account": "6228480000000000001",
    }


def restaurant_data(credit_code: str | None = None) -> dict:
    return {
        "enterprise_name": "沂源县鲁山示范餐饮有限公司",
        "credit_code": credit_code or valid_credit_code(),
        "legal_rep_name": "赵明",
        "legal_rep_id_number": valid_id_number("19850101"),
        "business_address": "沂源县历山街道鲁山路88号",
        "contact_name": "赵明",
        "contact_mobile": "13805331234",
        "operating_area_sqm": "320",
        "food_safety_manager": "钱敏",
        "sign_text": "鲁山人家",
        "sign_size_sqm": "6.5",
        "building_area_sqm": "420",
        "seats": "120",
        "fire_safety_manager": "孙磊",
    }


def pdf(name: str = "scan.pdf", size: int = 2048) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + b"0" * (size - 9), "application/pdf")


def jpg(name: str = "photo.jpg", size: int = 2048) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"\xff\xd8\xff" + b"0" * (size - 3), "image/jpeg")


def upload_all(actor, application, codes) -> None:
    for code in codes:
        material = application.version.definition["materials"][code]
        f = pdf(f"{code}.pdf") if "pdf" in material["file_types"] else jpg(f"{code}.jpg")
        services.attach_material(actor=actor, application_id=application.pk, code=code, upload=f)


def ready_draft(actor, *, number=9, answers=None, data=None, applicant=None, key=""):
    """A complete draft (answers, form, every material) that passes pre-review."""
    from banhao.catalog import definitions

    onething = OneThing.objects.get(number=number)
    application = services.start_application(
        actor=actor, onething=onething, applicant=applicant, idempotency_key=key
    )
    answers = answers or (NEWBORN_ANSWERS if number == 9 else RESTAURANT_ANSWERS)
    application = services.save_answers(actor=actor, application_id=application.pk, answers=answers)
    if data is None:
        data = newborn_data() if number == 9 else restaurant_data()
    fields = {
        f["key"]
        for f in definitions.merged_fields(application.version.definition, application.positions)
    }
    services.save_form(
        actor=actor,
        application_id=application.pk,
        data={k: v for k, v in data.items() if k in fields},
    )
    materials = definitions.merged_materials(application.version.definition, application.positions)
    upload_all(actor, application, [m["code"] for m in materials])
    application.refresh_from_db()
    return application


def sample_value(field: dict) -> str:
    """A plausible valid value for any form field, by its kind."""
    kind = field["kind"]
    if kind == "id_number":
        return valid_id_number("19800101")
    if kind == "credit_code":
        return valid_credit_code()
    if kind == "mobile":
        return "13800000000"
    if kind == "date":
        return (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    if kind == "number":
        return "10"
    if kind == "choice":
        return field["choices"][0]["value"]
    if kind == "boolean":
        return "yes"
    return "沂源县测试数据"


def complete_draft(actor, number: int, answers: dict, applicant=None, handling_region=None):
    """A draft of any bundle, every applicable field and material filled in validly."""
    from banhao.catalog import definitions

    onething = OneThing.objects.get(number=number)
    application = services.start_application(
        actor=actor, onething=onething, applicant=applicant, handling_region=handling_region
    )
    application = services.save_answers(actor=actor, application_id=application.pk, answers=answers)
    d = application.version.definition
    services.save_form(
        actor=actor,
        application_id=application.pk,
        data={
            f["key"]: sample_value(f) for f in definitions.merged_fields(d, application.positions)
        },
    )
    upload_all(
        actor,
        application,
        [m["code"] for m in definitions.merged_materials(d, application.positions)],
    )
    application.refresh_from_db()
    return application
