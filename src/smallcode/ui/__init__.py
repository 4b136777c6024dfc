"""Interactive terminal UI (prompt_toolkit + rich)."""
