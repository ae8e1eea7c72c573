"""Co-development initiatives: GET /api/v1/initiatives (JSON, or a table with ?format=csv),
POST /api/v1/initiatives (start one) and POST /api/v1/initiatives/{initiative_id}/join.

Starting and joining need a working survey link of a municipality: the survey cookie that
opening the link set (dashboard/access.py; SameSite=Strict, so another site cannot send it) or
the link's token in the body; the link's municipality acts. Without one: 403 saying why
(unknown, replaced or revoked, expired, a coordinator link). A bad field: 400 naming it
(`field`). The list follows the consent rule of dashboard/codev.py: names only where allowed,
the others counted; a list by municipality only for a municipality that may be named to the
asker (403 otherwise), so it cannot tell what a non-consenting municipality takes part in.
Answers change with every join, not with a build: no ETag, `no-store`.
"""

from __future__ import annotations

from flask import request

from dashboard import codev
from dashboard.access import request_token
from dashboard.api_core import ApiError, json_answer
from dashboard.api_formats import table_response
from dashboard.api_models import Initiative, InitiativeList
from dashboard.api_params import (
    BodyError,
    InitiativeBody,
    InitiativesQuery,
    JoinBody,
    parse_body,
)
from dashboard.api_spec import BAD_PARAMETER, Api, PathParam
from dashboard.context import AppContext
from pipelines.survey.initiatives import InitiativeError, LinkRefused, UnknownInitiative

NO_LINK = ("403: no working survey link of a municipality (the survey cookie, or `token` in the "
           "body); the message says why")
NOT_NAMED = ("municipality {mid} may not be named (it did not consent to publish its results by "
             "name): what it takes part in is not listed; its initiatives count in the "
             "element lists")


class CodevApi:
    def __init__(self, ctx: AppContext, api: Api):
        self.ctx, self.api = ctx, api

    def naming(self, viewer: str | None) -> codev.Naming:
        return codev.naming(self.ctx, self.ctx.warehouse.snapshot(), viewer)

    def viewer(self, token: str | None = None) -> str | None:
        token = token if token is not None else request_token()
        if not token:
            return None
        try:
            return self.ctx.initiatives.municipality_of(token)
        except LinkRefused:
            return None

    def listing(self, q: InitiativesQuery):
        who = self.naming(self.viewer())
        mid = None
        if q.municipality is not None:
            mid = q.municipality.strip().upper()
            if mid not in who.names:
                raise ApiError(404, f"unknown municipality {q.municipality!r}",
                               municipality_id=q.municipality)
            if not who.named(mid):
                raise ApiError(403, NOT_NAMED.format(mid=mid), municipality_id=mid)
        items = [codev.public(i, who) for i in codev.select(
            self.ctx.initiatives.all().values(), who, element=q.element, municipality=mid)]
        if q.format != "json":
            stem = "initiatives" + "".join(f"-{x}" for x in (q.element, mid) if x)
            return table_response(codev.table(items), stem, q.format)
        return json_answer({"count": len(items), "element": q.element, "municipality": mid,
                            "items": items})

    def _body(self, model):
        if request.get_json(silent=True) is None:
            raise ApiError(400, "the request body must be JSON (Content-Type: application/json)",
                           field="body")
        try:
            return parse_body(model, request.get_data(), self.api.enums(), "initiative")
        except BodyError as e:
            raise ApiError(400, str(e), field=e.field) from None

    def _acting(self, body) -> str | None:
        return body.token if body.token is not None else request_token()

    def create(self):
        body = self._body(InitiativeBody)
        token = self._acting(body)
        try:
            ini = self.ctx.initiatives.create(token, element=body.element,
                                              description=body.description, start=body.start,
                                              kind=body.kind, component=body.component)
        except InitiativeError as e:
            raise _error(e) from None
        return json_answer(codev.public(ini, self.naming(ini.owner)))

    def join(self, initiative_id: str):
        body = self._body(JoinBody)
        token = self._acting(body)
        try:
            ini = self.ctx.initiatives.join(token, initiative_id, body.role)
        except InitiativeError as e:
            raise _error(e) from None
        return json_answer(codev.public(ini, self.naming(self.viewer(token))))


def _error(e: InitiativeError) -> ApiError:
    if isinstance(e, LinkRefused):
        return ApiError(403, str(e), field=e.field)
    if isinstance(e, UnknownInitiative):
        return ApiError(404, str(e), field=e.field)
    return ApiError(400, str(e), field=e.field)


def register(api: Api, ctx: AppContext) -> None:
    codevs = CodevApi(ctx, api)

    @api.get("/api/v1/initiatives", operation_id="listInitiatives", tag="codev",
             summary="Co-development initiatives, per element or per municipality",
             description="Open co-development initiatives (seed 004: one municipality develops "
                         "a component with partners, or offers what it built; others join as "
                         "co-developer or adopter), oldest first. Owners and members are named "
                         "only where they consented to publish by name (all under "
                         "DS4E_VISIBILITY=open; your own municipality with its survey link); the "
                         "others are counted. `municipality` lists what one municipality takes "
                         "part in, only for one that may be named (403 otherwise). Not cached: "
                         "every join changes the answer.",
             query=InitiativesQuery, response=InitiativeList, tables=True, cached=False,
             response_description="The initiatives",
             errors={400: BAD_PARAMETER, 403: "The municipality may not be named",
                     404: "Unknown municipality id"})
    def _list(q):
        return codevs.listing(q)

    @api.post("/api/v1/initiatives", operation_id="createInitiative", tag="codev",
              summary="Start a co-development initiative (with a survey link)",
              description="The municipality of the survey link (cookie, or `token` in the body) "
                          "starts an initiative for an element: a short description, a start "
                          "date, and whether it seeks partners or offers reuse. Stored in the "
                          "survey store's immutable history.",
              body=InitiativeBody, response=Initiative, cached=False,
              response_description="The new initiative",
              errors={400: "A bad field (the message and `field` name it)", 403: NO_LINK})
    def _create():
        return codevs.create()

    @api.post("/api/v1/initiatives/{initiative_id}/join", operation_id="joinInitiative",
              tag="codev", path_params={"initiative_id": PathParam(
                  "Initiative id (from /api/v1/initiatives)", "I-0123456789ab")},
              summary="Join a co-development initiative (with a survey link)",
              description="The municipality of the survey link joins as co-developer or "
                          "adopter. Not its own initiative, not twice.",
              body=JoinBody, response=Initiative, cached=False,
              response_description="The initiative after joining",
              errors={400: "A bad field, your own initiative, or joined already (`field`)",
                      403: NO_LINK, 404: "No such initiative"})
    def _join(initiative_id):
        return codevs.join(initiative_id)
