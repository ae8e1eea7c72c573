"""Shared pieces the views import, never copy: colours, numbers, places, figures, downloads,
tables, the municipality picker, notices."""
