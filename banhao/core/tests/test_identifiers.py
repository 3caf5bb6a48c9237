import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from banhao.core import masking
from banhao.core.identifiers import clean_credit_code, clean_id_number, clean_mobile


def test_valid_id_number_is_compacted():
    assert clean_id_number("11010519491231002x") == "11010519491231002X"
    assert clean_id_number(" 110105 19491231 002X ") == "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1101051949123100", "id_length"),
        ("110105194912310021", "id_checksum"),
        ("110105194913310023", "id_birth_date"),
    ],
)
def test_invalid_id_numbers_name_the_problem(value, code):
    with pytest.raises(ValidationError) as err:
        clean_id_number(value)
    assert err.value.code == code


def test_credit_code():
    assert clean_credit_code("91110000600037341L") == "91110000600037341L"
    with pytest.raises(ValidationError) as err:
        clean_credit_code("91110000600037341A")
    assert err.value.code == "uscc_checksum"
    with pytest.raises(ValidationError) as err:
        clean_credit_code("9111000060003734")
    assert err.value.code == "uscc_length"


def test_mobile():
    assert clean_mobile("+86 138-0000-1234") == "13800001234"
    with pytest.raises(ValidationError) as err:
        clean_mobile("12800001234")
    assert err.value.code == "mobile_invalid"


def test_error_messages_in_the_users_language():
    with pytest.raises(ValidationError) as err:
        clean_id_number("110105194912310021")
    with translation.override("en"):
        assert "check digit" in err.value.messages[0]
    with translation.override("zh-hans"):
        assert "校验位" in err.value.messages[0]


def test_masking():
    assert masking.mask_id_number("370323199001011234") == "3703**********1234"
    assert masking.mask_credit_code("91370323MA00000010") == "9137**********0010"
    assert masking.mask_phone("13800001234") == "138****1234"
    assert masking.mask_name("张三") == "张*"
    assert masking.mask_name("欧阳小明") == "欧**明"
    assert masking.mask_id_number("") == ""


def test_region_code_is_checked_but_not_against_birth_year():
    # Yiyuan has been 370323 since 1989; people born before then hold such numbers too.
    first17 = "37032319551231001"
    from stdnum.cn import ric

    number = first17 + ric.calc_check_digit(first17 + "0")
    assert clean_id_number(number) == number
    bogus = "99999919900101001"
    with pytest.raises(ValidationError) as err:
        clean_id_number(bogus + ric.calc_check_digit(bogus + "0"))
    assert err.value.code == "id_region"


def test_future_birth_date_refused():
    from stdnum.cn import ric

    first17 = "37032320991231001"
    with pytest.raises(ValidationError) as err:
        clean_id_number(first17 + ric.calc_check_digit(first17 + "0"))
    assert err.value.code == "id_birth_date"
