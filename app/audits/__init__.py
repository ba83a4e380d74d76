"""Audits: start and close (audits.py), walking one (walk.py), how far it has
got (progress.py) and the report (report.py). What an audit still has to find,
and so what closing it marks missing, is in rules.py."""
