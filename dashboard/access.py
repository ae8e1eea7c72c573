"""Who is looking: a survey link opens its own municipality's views, consent or not.

Opening a valid survey link sets an HttpOnly cookie holding that link's token. Every request
re-checks the token against the survey store (so a replaced or expired link stops working at
once) and, if it is valid, the link's municipality counts as visible to this browser — only
that one; everybody else's results still follow the consent rule.
"""

from __future__ import annotations

import datetime as dt

from flask import has_request_context, request

from pipelines.survey.waves import Access, SurveyStore

GRANT_COOKIE = "ds4e_survey"


def request_token() -> str | None:
    if not has_request_context():
        return None
    return request.cookies.get(GRANT_COOKIE)


def viewer_municipality(store: SurveyStore, token: str | None = None) -> str | None:
    """The municipality a survey token (given, or this request's cookie) opens, else None."""
    token = token if token is not None else request_token()
    if not token:
        return None
    access = store.open_link(token)
    if not access.ok or access.invitation is None:
        return None
    return access.invitation.municipality_id


def forget(response) -> None:
    """Remove the link from this browser (the cookie expires at once)."""
    response.set_cookie(GRANT_COOKIE, "", max_age=0, httponly=True, samesite="Strict", path="/",
                        secure=_https())


def grant(response, access: Access, token: str) -> None:
    """Remember a valid respondent link in this browser (cookie on the callback response)."""
    if not access.ok or access.invitation is None:
        return
    max_age = int((access.invitation.expires_at - dt.datetime.now(dt.UTC)).total_seconds())
    # Secure over HTTPS (behind a proxy: X-Forwarded-Proto, believed with DS4E_TRUSTED_PROXIES,
    # dashboard/security.py); not over plain HTTP, where a Secure cookie would never come back.
    response.set_cookie(GRANT_COOKIE, token, max_age=max(max_age, 0), httponly=True,
                        samesite="Strict", path="/", secure=_https())


def _https() -> bool:
    return has_request_context() and request.is_secure
