from shop.checkout import total_for


def test_member_discount():
    assert total_for(["notebook", "pen"], member=True) == 1070 + 495


def test_no_discount_for_others():
    assert total_for(["notebook", "pen"]) == 1260 + 495
