"""The maps view: see page.py."""
