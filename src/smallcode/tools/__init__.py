"""Tools the model can call; each is a typed function registered in registry.py."""
