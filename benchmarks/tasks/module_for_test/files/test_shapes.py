from shapes import Square


def test_area():
    assert Square(3).area() == 9


def test_perimeter():
    assert Square(2).perimeter() == 8
