"""The in-app survey: waves, secret links, drafts, submissions and coordinator progress."""

from pipelines.survey.records import (
    ClosedError,
    load_draft,
    save_draft,
    submissions,
    submit,
    submitted_at,
)
from pipelines.survey.sheet import DONT_KNOW, Answer, Sheet, parse_sheet
from pipelines.survey.waves import TEAM, Access, IssuedLink, SurveyError, SurveyStore, Wave

__all__ = ["DONT_KNOW", "TEAM", "Access", "Answer", "ClosedError", "IssuedLink", "Sheet",
           "SurveyError", "SurveyStore", "Wave", "load_draft", "parse_sheet", "save_draft",
           "submissions", "submit", "submitted_at"]
