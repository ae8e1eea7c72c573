"""The profile view: see page.py."""
