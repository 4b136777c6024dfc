from orders import calc_total


def summary(lines):
    return f"{len(lines)} lines, total {calc_total(lines)}"
