"""The legislation view: see page.py."""
