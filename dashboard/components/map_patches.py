"""Map updates as Dash Patches: a new wave or measure sends only new values and hover texts for
trace 0, never the geometry again. Kept apart from `maps.py` so that the figure builders (and the
views' figures modules that use them) import no Dash."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from dash import Patch

from dashboard.components.maps import typed_array


def recolour(z, text: Sequence[str], *, field: str = "z", extra: dict | None = None) -> Patch:
    """Only the new values for trace 0: the geometry is not sent again.

    `field` is where the values go ("z" for a choropleth, "marker.color" for points). A numpy
    array travels as a base64 typed array (as in a full figure), anything else as a list.
    `extra` sets further trace properties by dotted path (colour range, colour bar)."""
    patch = Patch()
    trace = patch["data"][0]
    _assign(trace, field, typed_array(z) if isinstance(z, np.ndarray) else list(z))
    trace["text"] = list(text)
    for path, value in (extra or {}).items():
        _assign(trace, path, value)
    return patch


def _assign(node, path: str, value) -> None:
    *parents, last = path.split(".")
    for key in parents:
        node = node[key]
    node[last] = value


def recolour_status(kind: str, z: np.ndarray, text: Sequence[str], colours: dict) -> Patch:
    """The Patch for a status map: new values, hover texts and colour settings, no geometry."""
    if kind == "points":
        return recolour(z, text, field="marker.color", extra={
            "marker.cmin": colours["zmin"], "marker.cmax": colours["zmax"],
            "marker.colorscale": colours["colorscale"], "marker.colorbar": colours["colorbar"]})
    return recolour(z, text, extra=colours)
