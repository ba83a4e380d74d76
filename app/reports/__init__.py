"""Reports for leads, one module each: assets by place, category and holder
(common.py, with the shared periods and formats), idle assets, utilisation,
repair costs and book value. The rules they share are in rules.py."""
