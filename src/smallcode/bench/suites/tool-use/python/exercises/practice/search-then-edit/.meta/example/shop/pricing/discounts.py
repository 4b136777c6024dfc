# Member discount, as a fraction of the price.
MEMBER_DISCOUNT = 0.15


def member_price(cents):
    return round(cents * (1 - MEMBER_DISCOUNT))
