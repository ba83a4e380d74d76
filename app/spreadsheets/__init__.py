"""Spreadsheets in and out: importing a CSV (reading and values, lookup, plan,
apply, run by imports.py) and exporting the register and history (exports.py).
What an import accepts is in rules.py."""
