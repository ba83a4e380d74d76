"""Printing labels from the app: the stock (formats.py: formats and nudges),
what to print and the record that it was printed (selection.py), a print job
(print_job.py) and blank labels (blanks.py). The label engine itself is the
top-level `labels` package, which knows nothing of the app. Limits are in rules.py."""
