from stats import mean, moving_sum


def test_mean():
    assert mean([1, 2, 3]) == 2


def test_moving_sum():
    assert moving_sum([1, 2, 3], 2) == [3, 5]
    assert moving_sum([1, 1, 1, 1], 3) == [3, 3]
