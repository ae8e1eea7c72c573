"""The heatmap view: see page.py."""
