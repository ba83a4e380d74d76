"""The register: assets, places and categories, people, attachments, label
codes and the history every change writes (events.py). Status groups
("in service", "can be checked out") are in rules.py."""
