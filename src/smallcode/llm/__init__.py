"""Talking to models: one module per wire protocol, behind the Provider protocol (base.py)."""
