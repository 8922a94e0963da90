import pytest

from zhijiao.core.masking import mask_address, mask_id_number, mask_name, mask_phone


def test_mask_id_number_keeps_first_and_last_four():
    assert mask_id_number("330106200901011234") == "3301**********1234"
    assert mask_id_number("11010519491231002X") == "1101**********002X"


def test_mask_id_number_short_value_is_not_shown_whole():
    masked = mask_id_number("E1234567")
    assert masked == "E1****67"
    assert len(masked) == 8


def test_mask_phone_keeps_first_three_and_last_four():
    assert mask_phone("13812345678") == "138****5678"


def test_mask_phone_short_value_is_not_shown_whole():
    assert mask_phone("1234567") == "1*****7"


def test_mask_address_keeps_first_six_characters():
    assert mask_address("浙江省杭州市西湖区文三路90号") == "浙江省杭州市****"
    assert mask_address("杭州市西湖区") == "杭州市西湖区****"
    assert mask_address("西湖区") == "西湖区****"


@pytest.mark.parametrize("mask", [mask_id_number, mask_phone, mask_address])
@pytest.mark.parametrize("empty", ["", None])
def test_masks_return_empty_for_empty_input(mask, empty):
    assert mask(empty) == ""


def test_mask_name_keeps_the_family_name():
    assert mask_name("陈小明") == "陈**"
    assert mask_name("王五") == "王*"
    assert mask_name("李") == "李*"
    assert mask_name("") == mask_name(None) == ""
