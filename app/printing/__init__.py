"""Printing labels from the app: formats, what to print and the record that it
was printed (jobs.py). The label engine itself is the top-level `labels`
package, which knows nothing of the app. Limits are in rules.py."""
