# Member discount, as a fraction of the price.
MEMBER_DISCOUNT = 0.05


def member_price(cents):
    return round(cents * (1 - MEMBER_DISCOUNT))
