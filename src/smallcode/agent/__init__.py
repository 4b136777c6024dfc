"""The agent loop, context budget, guards, plan and contracts."""
