"""Peer groups: which municipalities a municipality is fairly compared with.

Default: same country and size class. Alternatives: same NUTS 2 region, same country, or a
hand-picked set. The municipality itself is never its own peer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PEER_KINDS = ("country_size", "nuts2", "country", "custom")
DEFAULT_PEERS = "country_size"


@dataclass(frozen=True)
class Attributes:
    """Municipality attributes aligned with the cube's municipality order, as integer codes."""

    country: np.ndarray  # int32 codes
    nuts2: np.ndarray
    size_class: np.ndarray
    country_labels: np.ndarray  # code -> label
    nuts2_labels: np.ndarray
    size_labels: np.ndarray

    @classmethod
    def from_columns(cls, country, nuts2, size_class) -> Attributes:
        c_lab, c = np.unique(np.asarray(country, dtype=object).astype(str), return_inverse=True)
        n_lab, n = np.unique(np.asarray(nuts2, dtype=object).astype(str), return_inverse=True)
        s_lab, s = np.unique(np.asarray(size_class, dtype=object).astype(str), return_inverse=True)
        return cls(c.astype(np.int32), n.astype(np.int32), s.astype(np.int32), c_lab, n_lab, s_lab)

    def label(self, kind: str, index: int) -> str:
        if kind == "country_size":
            return f"{self.country_labels[self.country[index]]}:{self.size_labels[self.size_class[index]]}"
        if kind == "nuts2":
            return str(self.nuts2_labels[self.nuts2[index]])
        if kind == "country":
            return str(self.country_labels[self.country[index]])
        return "custom"

    def mask_for(self, field: str, value: str) -> np.ndarray:
        """bool[M] for an attribute value (e.g. country 'NL'); all False for an unknown value."""
        labels, codes = {"country": (self.country_labels, self.country),
                         "nuts2": (self.nuts2_labels, self.nuts2),
                         "size_class": (self.size_labels, self.size_class)}[field]
        hit = np.flatnonzero(labels == value)
        return codes == hit[0] if len(hit) else np.zeros(len(codes), dtype=bool)


def peer_mask(attrs: Attributes, target: int, kind: str = DEFAULT_PEERS,
              custom: np.ndarray | list[int] | None = None) -> np.ndarray:
    """bool[M]: the peers of municipality `target` (itself excluded)."""
    if kind not in PEER_KINDS:
        raise ValueError(f"unknown peer group {kind!r}; choose one of {', '.join(PEER_KINDS)}")
    if kind == "country_size":
        mask = (attrs.country == attrs.country[target]) & (attrs.size_class == attrs.size_class[target])
    elif kind == "nuts2":
        mask = attrs.nuts2 == attrs.nuts2[target]
    elif kind == "country":
        mask = attrs.country == attrs.country[target]
    else:
        mask = np.zeros(len(attrs.country), dtype=bool)
        if custom is not None and len(custom):
            mask[np.asarray(custom, dtype=np.int64)] = True
    mask = mask.copy()
    mask[target] = False
    return mask
