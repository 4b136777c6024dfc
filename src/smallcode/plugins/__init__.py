"""Plugins (pluggy), MCP client, skills."""
