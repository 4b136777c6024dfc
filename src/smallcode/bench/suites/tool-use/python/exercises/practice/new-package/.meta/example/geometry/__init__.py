from geometry.shapes import area_circle, area_square

__all__ = ["area_circle", "area_square"]
