"""Dash callbacks as the browser sends them (/_dash-update-component), for tests that drive the
app over HTTP: a Flask test client or a real server (gunicorn)."""

from __future__ import annotations

import json


def outputs(out: str) -> list[dict] | dict:
    """'..a.children...b.children@hash..' -> the renderer's `outputs` (ids without '@hash')."""
    def split(text: str) -> dict:
        ident, prop = text.rsplit(".", 1)
        return {"id": ident.split("@")[0], "property": prop.split("@")[0]}
    if out.startswith(".."):
        return [split(p) for p in out.strip(".").split("...")]
    return split(out)


def find(deps: list[dict], output_id: str, prop: str | None = None) -> dict:
    """The callback (from /_dash-dependencies) that writes `output_id` (`.prop`)."""
    for spec in deps:
        outs = outputs(spec["output"])
        for o in outs if isinstance(outs, list) else [outs]:
            if o["id"] == output_id and prop in (None, o["property"]):
                return spec
    raise KeyError(f"no callback writes {output_id}.{prop or '*'}")


def payload(spec: dict, values: dict, changed: list[str]) -> dict:
    """The request body of one callback. `values`: 'id.prop' -> value for a plain id; for an
    ALL-pattern id, '<type>.prop' -> [(id dict, value), ...] (one entry per matching component)."""
    def fill(i: dict):
        ident, prop = i["id"], i["property"]
        if ident.startswith("{"):
            kind = json.loads(ident)["type"]
            return [{"id": id_, "property": prop, "value": v}
                    for id_, v in values.get(f"{kind}.{prop}", [])]
        return {"id": ident, "property": prop, "value": values.get(f"{ident}.{prop}")}

    return {"output": spec["output"], "outputs": outputs(spec["output"]),
            "inputs": [fill(i) for i in spec["inputs"]],
            "state": [fill(i) for i in spec.get("state", [])], "changedPropIds": changed}


def survey_values(element_ids: list[str], answers: dict, token: str, consent: str | None = None,
                  lang: str = "en") -> dict:
    """The survey form's values for `payload`: a level per element (None when not answered)."""
    from dashboard.views.survey import ids as survey_ids

    def per(kind, value_of):
        return [({"element": e, "type": kind}, value_of(e)) for e in element_ids]

    return {f"{survey_ids.LEVEL}.value": per(survey_ids.LEVEL, answers.get),
            f"{survey_ids.CONF}.value": per(survey_ids.CONF, lambda _e: None),
            f"{survey_ids.EVIDENCE}.value": per(survey_ids.EVIDENCE, lambda _e: ""),
            f"{survey_ids.CONSENT}.value": consent, f"{survey_ids.TOKEN}.data": token,
            f"{survey_ids.BLOCK}.data": 0, f"{survey_ids.SUBMIT}.n_clicks": 1, "lang.value": lang}
