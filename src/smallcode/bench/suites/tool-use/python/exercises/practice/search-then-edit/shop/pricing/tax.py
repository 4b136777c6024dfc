VAT_RATE = 0.2


def with_tax(cents):
    return round(cents * (1 + VAT_RATE))
