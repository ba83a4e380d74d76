"""Handover and return receipts: what makes one (rules.py), signatures
(signatures.py), writing, signing and delivering them (receipts.py) and the
PDF (pdf.py)."""
