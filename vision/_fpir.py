"""Match thresholds from a target false-positive identification rate (FPIR) at a gallery size.

A stranger (or a shopper whose own template is not the best) is charged by face only when
the best *other* customer's score clears the Match threshold. With a gallery of ``n``
customers that best score is the maximum of ``n`` impostor comparisons, so a threshold that
is safe for 15 customers is not safe for a thousand: the chance that some enrolled stranger
scores above it grows with the gallery.

Method (why this one):

1. Per-comparison tail. Every probe of a labelled set is compared with every customer of
   another identity (the customer's best template), giving millions of impostor scores on
   ``faces/cal``. Above a high anchor ``u`` (their 99.9th percentile) the tail is fitted with
   an exponential, ``P(s >= t) = rate_u * exp(-(t - u) / scale)``, the maximum-likelihood fit
   (``scale`` = mean excess over ``u``). Cosine scores are bounded, so the true tail falls off
   faster than an exponential: the fit errs on the safe side when it extrapolates.
2. Gallery size. The best of ``n`` comparisons clears ``t`` with probability
   ``FPIR(t, n) = 1 - (1 - p(t))**n``.
3. Probes differ. Some faces score high against everyone, so comparisons of one probe are not
   independent and (2) can under-estimate. The top-1 impostor maxima are therefore also
   measured directly, over galleries of several sizes sampled from the labelled set, and the
   per-comparison rate is multiplied by ``inflation`` (>= 1), the largest ratio of measured to
   modelled FPIR where the measurement has enough events to be trusted.
4. Threshold. Solving (2) for the target gives ``t(n) = u + scale * ln(inflation * rate_u /
   p_n)`` with ``p_n = 1 - (1 - target)**(1/n)``: it rises with ``ln n``, so the kiosk
   tightens as its gallery grows.

The empirical maxima alone cannot reach 1 in 10,000 at 1,700 customers (that needs far more
probes than any labelled set has); the fitted tail alone ignores probe heterogeneity. Together
they extrapolate from measured ground. A calibration with too few comparisons to fit a tail
(fewer than ``MIN_TAIL_POINTS`` above the anchor), or asked to extrapolate more than
``MAX_EXTRAPOLATION`` times below the rarest rate it measured, does not *support* the target:
the policy then sends that kind of face (masked, today) to the PIN.

Cost: a closed formula per gallery size; the kiosk evaluates it when its gallery changes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["MAX_EXTRAPOLATION", "MIN_TAIL_POINTS", "ImpostorTail", "fit_impostor_tail", "sampled_top1_fpir"]

# Fewest impostor scores above the anchor that a tail may be fitted on.
MIN_TAIL_POINTS = 100
# The per-comparison rate a target needs may lie at most this many times below the rarest
# rate the calibration measured (1 / comparisons).
MAX_EXTRAPOLATION = 1000.0


@dataclass(frozen=True)
class ImpostorTail:
    """The fitted impostor score tail of one kind of face (unmasked, masked).

    Attributes:
        anchor: score ``u`` above which the tail is modelled.
        anchor_rate: share of impostor comparisons scoring at or above ``anchor``.
        scale: exponential scale of the tail (mean excess over the anchor).
        inflation: factor (>= 1) on the per-comparison rate for probe heterogeneity.
        comparisons: impostor comparisons the fit was made on.
        floor: lowest threshold ever returned (a tiny gallery still needs a real score).
    """

    anchor: float
    anchor_rate: float
    scale: float
    inflation: float
    comparisons: int
    floor: float = 0.0

    def exceed(self, t: float) -> float:
        """Per-comparison probability that an impostor scores at least ``t``."""
        p = self.inflation * self.anchor_rate * math.exp(-(t - self.anchor) / self.scale)
        return min(1.0, p)

    def fpir(self, t: float, n: int) -> float:
        """Probability that the best of ``n`` impostor customers scores at least ``t``."""
        p = self.exceed(t)
        return 1.0 if p >= 1.0 else -math.expm1(max(n, 1) * math.log1p(-p))

    def threshold(self, n: int, target: float) -> float:
        """The lowest score whose FPIR at gallery size ``n`` is at most ``target``."""
        p = _per_comparison(n, target)
        t = self.anchor + self.scale * math.log(self.inflation * self.anchor_rate / p)
        return max(self.floor, t)

    def supports(self, n: int, target: float) -> bool:
        """Whether the fit has the data to promise ``target`` at gallery size ``n``."""
        points = self.anchor_rate * self.comparisons
        needed = _per_comparison(n, target)
        return points >= MIN_TAIL_POINTS and needed * self.comparisons * MAX_EXTRAPOLATION >= 1.0


def _per_comparison(n: int, target: float) -> float:
    if not 0.0 < target < 1.0:
        raise ValueError(f"target FPIR must be in (0, 1), got {target}")
    return -math.expm1(math.log1p(-target) / max(n, 1))


def fit_impostor_tail(
    scores: NDArray[np.floating], *, quantile: float = 0.999, inflation: float = 1.0, floor: float = 0.0
) -> ImpostorTail:
    """Exponential tail above the ``quantile`` of per-comparison impostor ``scores``."""
    s = np.sort(np.asarray(scores, dtype=np.float64).ravel())
    if s.size < 2:
        raise ValueError("a tail needs at least two impostor scores")
    anchor = float(s[min(s.size - 2, int(np.floor(quantile * s.size)))])
    excess = s[s >= anchor] - anchor
    scale = max(float(excess.mean()), 1e-4)
    return ImpostorTail(
        anchor=round(anchor, 6),
        anchor_rate=float(excess.size) / s.size,
        scale=round(scale, 6),
        inflation=inflation,
        comparisons=int(s.size),
        floor=floor,
    )


def sampled_top1_fpir(
    impostor: NDArray[np.float32], n: int, thresholds: Sequence[float], *, draws: int = 20, seed: int = 0
) -> NDArray[np.float64]:
    """Measured FPIR at each threshold: share of (probe, sampled gallery of ``n`` impostor
    customers) whose best score reaches it.

    ``impostor`` is probes x customers with ``-inf`` where the customer is the probe's own
    identity; each draw takes ``n`` random customers (the same columns for every probe), so a
    probe's own identity simply drops out of its gallery.
    """
    rng = np.random.default_rng(seed)
    cols = impostor.shape[1]
    n = min(n, cols)
    t = np.asarray(thresholds, dtype=np.float64)
    hits = np.zeros(t.size)
    total = 0
    for _ in range(draws):
        pick = rng.choice(cols, size=n, replace=False)
        top = impostor[:, pick].max(axis=1)
        top = top[np.isfinite(top)]
        hits += (top[:, None] >= t[None, :]).sum(axis=0)
        total += top.size
    return hits / max(total, 1)
