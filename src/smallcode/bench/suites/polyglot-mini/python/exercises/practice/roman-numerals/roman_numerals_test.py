import pytest

from roman_numerals import to_roman


@pytest.mark.parametrize(
    "number, roman",
    [(1, "I"), (4, "IV"), (9, "IX"), (14, "XIV"), (40, "XL"), (90, "XC"), (400, "CD"),
     (1994, "MCMXCIV"), (2024, "MMXXIV"), (3999, "MMMCMXCIX")],
)
def test_numbers(number, roman):
    assert to_roman(number) == roman


@pytest.mark.parametrize("number", [0, 4000, -3])
def test_out_of_range(number):
    with pytest.raises(ValueError):
        to_roman(number)
