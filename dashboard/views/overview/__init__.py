"""The overview view: see page.py."""
