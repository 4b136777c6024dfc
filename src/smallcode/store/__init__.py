"""SQLite persistence: memory, evidence, sessions, traces, snapshots."""
