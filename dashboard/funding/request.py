"""One funding what-if request, the API's JSON body (the CLI builds the same body from its
options), validated against its declaration (dashboard/api_params.FundingBody) and read into
one data_funding.Request per package. A bad body raises FundingError naming the field, which
the API answers as 400 and the CLI as exit 2. The page builds its requests from the controls
(dashboard/views/policy/funding.py) with the same checks of the package and settings."""

from __future__ import annotations

from dashboard.api_params import BodyError, Enums, FundingBody, parse_body
from dashboard.api_spec import build_enums
from dashboard.context import AppContext
from dashboard.views.policy import data_funding as df
from dashboard.views.policy.selection import SelectionError, parse_selection
from pipelines.maturity import funding as fe


def requests_of(ctx: AppContext, raw: bytes, enums: Enums | None = None
                ) -> tuple[list[df.Request], str]:
    """The body (JSON bytes) -> one Request per package, and the language. FundingError names
    the bad field. `enums`: the build's allowed values when the caller keeps them (the API)."""
    if enums is None:
        enums = build_enums(ctx, ctx.warehouse.snapshot())
    try:
        body = parse_body(FundingBody, raw, enums, what="funding what-if")
    except BodyError as e:
        raise df.FundingError(e.field or "body", e.problem) from None
    try:
        if body.country and body.nuts2 and \
                parse_selection(ctx, None, body.nuts2).country != parse_selection(
                    ctx, body.country).country:
            raise df.FundingError("nuts2", f"region {body.nuts2} is not in country {body.country}")
        sel = parse_selection(ctx, body.country, body.nuts2, body.size_class, strict=True)
    except SelectionError as e:
        raise df.FundingError(e.parameter, str(e)) from None
    out = []
    for name, items in (("package", body.package), ("compare", body.compare)):
        if items is None:
            continue
        try:
            pkg = fe.make_package([i.model_dump() for i in items], ctx.framework.element_ids)
        except fe.PackageError as e:
            raise df.FundingError(e.field.replace("package", name, 1), e.problem) from None
        out.append(df.Request(sel, pkg, body.rule, body.reach, body.budget, body.law))
    return out, body.lang
