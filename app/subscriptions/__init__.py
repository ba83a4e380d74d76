"""Subscriptions: licences, SaaS and cloud services, domains and support
contracts; their vendors, seats, renewals and history. The rules: rules.py."""
