from orders import order_total


def summary(lines):
    return f"{len(lines)} lines, total {order_total(lines)}"
