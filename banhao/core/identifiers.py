"""Validation of Chinese identifiers, via python-stdnum, with messages in the user's language."""

import datetime
import re
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_exc
from stdnum import numdb
from stdnum.cn import ric, uscc

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


@lru_cache(maxsize=4096)
def _known_region(code: str) -> bool:
    """Whether the region code ever existed (python-stdnum's division database).

    stdnum's own validate() also requires the code to have existed in the birth year, but the
    code records where the number was first issued, not where the person was born: Yiyuan
    became 370323 in 1989 and issues that code to people born long before. See docs/adr/0003.
    """
    return any("county" in props for _part, props in numdb.get("cn/loc").info(code))


def clean_id_number(value: str) -> str:
    """Return the compact 18-character resident ID number or raise a specific ValidationError.

    The birth date is checked before the check digit, so an impossible date is named as such.
    """
    value = re.sub(r"[\s-]", "", value or "").upper()
    try:
        if len(value) != 18:
            raise stdnum_exc.InvalidLength()
        if not value[:17].isdigit():
            raise stdnum_exc.InvalidFormat()
        birth = ric.get_birth_date(value)
        if birth > datetime.date.today():
            raise stdnum_exc.InvalidComponent()
        if value[-1] != ric.calc_check_digit(value):
            raise stdnum_exc.InvalidChecksum()
        if not _known_region(value[:6]):
            raise ValidationError(
                _("The first six digits of the ID number are not a known region code."),
                code="id_region",
            )
        return value
    except stdnum_exc.InvalidLength as exc:
        raise ValidationError(_("An ID number has 18 characters."), code="id_length") from exc
    except stdnum_exc.InvalidChecksum as exc:
        raise ValidationError(
            _("The ID number's check digit is wrong; please check every digit."), code="id_checksum"
        ) from exc
    except stdnum_exc.InvalidComponent as exc:
        raise ValidationError(
            _("The birth date in the ID number is not a real past date."), code="id_birth_date"
        ) from exc
    except stdnum_exc.ValidationError as exc:
        raise ValidationError(_("This is not a valid ID number."), code="id_invalid") from exc


def clean_credit_code(value: str) -> str:
    """Return the compact unified social credit code or raise a specific ValidationError."""
    value = re.sub(r"[\s-]", "", value or "").upper()
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
