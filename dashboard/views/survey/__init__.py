"""The survey view: see page.py."""
