"""Reservations: booking assets for a person over a period (rules.py holds the
rules; reservations.py the service; ending.py what a return does to a booking;
moments.py the times in the organisation's zone; settings.py the saved policy)."""
