from shop.catalog import price_of
from shop.pricing.discounts import member_price
from shop.pricing.shipping import shipping_for
from shop.pricing.tax import with_tax


def total_for(items, member=False):
    subtotal = sum(price_of(i) for i in items)
    if member:
        subtotal = member_price(subtotal)
    return with_tax(subtotal) + shipping_for(subtotal)
