"""Custody: who holds what and what happens to it. The action engine
(engine.py) and every action on an asset: check out, return, hand over, move,
retire (custody.py), faults and repairs (maintenance.py), service intervals
(servicing.py), the scanner's batches (batch.py) and reminders. The rules
(what is overdue, which actions a person may take on an asset) are in rules.py."""
