"""The survey_progress view: see page.py."""
