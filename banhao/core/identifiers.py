"""Validation of Chinese identifiers, via python-stdnum, with messages in the user's language."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_exc
from stdnum.cn import ric, uscc

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def clean_id_number(value: str) -> str:
    """Return the compact 18-character resident ID number or raise a specific ValidationError."""
    try:
        return ric.validate(value)
    except stdnum_exc.InvalidLength as exc:
        raise ValidationError(_("An ID number has 18 characters."), code="id_length") from exc
    except stdnum_exc.InvalidChecksum as exc:
        raise ValidationError(
            _("The ID number's check digit is wrong; please check every digit."), code="id_checksum"
        ) from exc
    except stdnum_exc.InvalidComponent as exc:
        raise ValidationError(
            _("The birth date in the ID number is not a real date."), code="id_birth_date"
        ) from exc
    except stdnum_exc.ValidationError as exc:
        raise ValidationError(_("This is not a valid ID number."), code="id_invalid") from exc


def clean_credit_code(value: str) -> str:
    """Return the compact unified social credit code or raise a specific ValidationError."""
    try:
        return uscc.validate(value)
    except stdnum_exc.InvalidLength as exc:
        raise ValidationError(
            _("A unified social credit code has 18 characters."), code="uscc_length"
        ) from exc
    except stdnum_exc.InvalidChecksum as exc:
        raise ValidationError(
            _("The credit code's check character is wrong; please check every character."),
            code="uscc_checksum",
        ) from exc
    except stdnum_exc.ValidationError as exc:
        raise ValidationError(
            _("This is not a valid unified social credit code."), code="uscc_invalid"
        ) from exc


def clean_mobile(value: str) -> str:
    compact = re.sub(r"[\s-]", "", value or "")
    if compact.startswith("+86"):
        compact = compact[3:]
    if not _MOBILE.match(compact):
        raise ValidationError(
            _("A mainland mobile number has 11 digits and starts with 13–19."),
            code="mobile_invalid",
        )
    return compact


def id_number_check_digit(first17: str) -> str:
    return ric.calc_check_digit(first17)


def credit_code_check_digit(first17: str) -> str:
    return uscc.calc_check_digit(first17)
