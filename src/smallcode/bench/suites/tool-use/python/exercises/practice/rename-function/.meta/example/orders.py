def order_total(lines):
    """Total of (quantity, unit price) lines."""
    return sum(q * p for q, p in lines)
