"""The policy view: see page.py."""
