from add_numbers import add


def test_small_numbers():
    assert add(2, 3) == 5


def test_negative_numbers():
    assert add(-4, 1) == -3


def test_floats():
    assert abs(add(0.5, 0.25) - 0.75) < 1e-9
