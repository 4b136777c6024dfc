"""Knowing the user's project: start-up summary, symbol index, hybrid search."""
