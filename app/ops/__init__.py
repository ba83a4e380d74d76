"""Running an installation: organisation settings, backups, copying to
PostgreSQL, email and the demo data."""
