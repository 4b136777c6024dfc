from geometry import rectangle_area


def report(rects):
    return "\n".join(f"{w}x{h}: {rectangle_area(w, h)}" for w, h in rects)
