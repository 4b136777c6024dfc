from geometry import area_rect


def report(rects):
    return "\n".join(f"{w}x{h}: {area_rect(w, h)}" for w, h in rects)
