"""The replacement plan: when each asset's useful life ends (life.py keeps
`Asset.life_ends_on`), which assets are due for replacement and why (plan.py),
and what the next eight quarters will cost (forecast.py). Every rule is in
rules.py; the Settings page's thresholds are read in settings.py."""
