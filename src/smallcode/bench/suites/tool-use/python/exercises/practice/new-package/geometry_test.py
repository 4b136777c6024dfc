import math


def test_package_exports():
    from geometry import area_circle, area_square

    assert area_square(3) == 9
    assert math.isclose(area_circle(2), math.pi * 4)


def test_module():
    from geometry.shapes import area_square

    assert area_square(1.5) == 2.25
