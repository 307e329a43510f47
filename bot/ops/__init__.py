"""Production operation: webhook intake, health and metrics server, backups."""
