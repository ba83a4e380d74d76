"""Kits: named sets of specific assets with their own code, taken and returned
in one tap (kits.py), and what may be in one and what a kit's card says (rules.py)."""
