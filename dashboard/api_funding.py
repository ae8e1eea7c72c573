"""POST /api/v1/insight/funding-what-if: what a funding package would change (the Policy tab's
funding section and `python -m pipelines funding` give the same answer: dashboard/funding/).

The body names a selection, a package of elements with target levels (and costs), optionally a
second package to compare, who is funded (rule) and how many (reach) or for how much (budget).
400 names the bad field; 503 when nothing is published or the build has no stored roadmaps;
429 past the what-if rate limit (shared with /laws/what-if and the Legislation page's draft).
"""

from __future__ import annotations

from flask import request

from dashboard.api_core import NOT_PUBLISHED, ApiError, json_answer
from dashboard.api_models import FundingWhatIf
from dashboard.api_params import Enums, FundingBody
from dashboard.api_spec import NOT_PUBLISHED_TEXT, Api
from dashboard.context import AppContext
from dashboard.funding.answer import NotPublished, answer_json, answers_of
from dashboard.funding.request import requests_of
from dashboard.views.policy.data_funding import FundingError

ENDPOINT = "api.fundingWhatIf"
DESCRIPTION = (
    "Funds a package of elements (each raised to at least its target level) in the "
    "municipalities a rule picks, within a reach (municipalities) or a budget, and recomputes "
    "them with the legislation-readiness and roadmap engines: municipalities ready per law "
    "(legal duties and ambition) before and after, per published region and size class, "
    "elements at level 3 or higher, first-phase recommendations, the cost per municipality made "
    "ready, and the answer in words. Under the consent rule the units funded are whole "
    "published areas (NUTS 2 x size class), so no two what-ifs differ by one municipality; "
    "funded municipalities are named only where their results are public. Costs are "
    "illustrative unless given.")


def what_if_answer(ctx: AppContext, enums: Enums | None = None) -> dict:
    if ctx.warehouse.snapshot() is None:
        raise ApiError(503, NOT_PUBLISHED)
    if request.get_json(silent=True) is None:
        raise ApiError(400, "the request body must be JSON (Content-Type: application/json)",
                       field="body")
    try:
        reqs, lang = requests_of(ctx, request.get_data(), enums)
        answers = answers_of(ctx, reqs)
    except FundingError as e:
        raise ApiError(400, f"funding what-if: {e.field}: {e.problem}", field=e.field) from None
    except NotPublished as e:
        raise ApiError(503, str(e)) from None
    return answer_json(ctx, answers, lang)


def register(api: Api, ctx: AppContext) -> None:
    @api.post("/api/v1/insight/funding-what-if", operation_id="fundingWhatIf", tag="insight",
              summary="What a funding package would change: readiness per law, where, at what "
                      "cost",
              description=DESCRIPTION, body=FundingBody, response=FundingWhatIf,
              response_description="The what-if of each package", cached=False,
              errors={400: "A malformed body (the message and `field` name the field)",
                      503: NOT_PUBLISHED_TEXT,
                      429: "Too many what-ifs from this client: wait the Retry-After seconds"})
    def _funding():
        return json_answer(what_if_answer(ctx, api.enums()))
