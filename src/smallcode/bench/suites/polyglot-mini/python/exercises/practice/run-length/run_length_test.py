from run_length import decode, encode


def test_encode_empty():
    assert encode("") == ""


def test_encode_single_characters():
    assert encode("XYZ") == "XYZ"


def test_encode_runs():
    assert encode("WWWWBWW") == "4WB2W"


def test_encode_spaces():
    assert encode("  hsqq qww  ") == "2 hs2q q2w2 "


def test_decode_long_run():
    assert decode("12A3B") == "A" * 12 + "BBB"


def test_round_trip():
    text = "zzz ZZ  zZ"
    assert decode(encode(text)) == text
