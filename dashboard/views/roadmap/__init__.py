"""The roadmap view: see page.py."""
