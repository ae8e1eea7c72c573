"""The knowledge view: see page.py."""
