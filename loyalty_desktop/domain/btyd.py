"""Predictive CRM scoring: BG/NBD (who is still buying, how often) and Gamma-Gamma (how much).

BG/NBD: Fader, Hardie & Lee (2005), "Counting your customers the easy way". Gamma-Gamma:
Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves", with Fader & Hardie's
note "The Gamma-Gamma model of monetary value". Both are fitted by maximum likelihood on
log-parameters. Time is counted in units of `unit_days` days (weeks by default, as in the
papers' CDNOW example); a customer's first purchase is day 0 and purchases on the same
calendar day (shop time zone) are one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from fractions import Fraction

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from scipy.special import betaln, expit, gammaln, hyp2f1

from .analytics import Purchase, churn_risk, history_as_of
from .errors import InvalidInput, Refused
from .money import round_half_up

MIN_CUSTOMERS = 30
MIN_REPEAT_CUSTOMERS = 10
MIN_SPEND_CUSTOMERS = 20  # repeat customers with a positive mean, for Gamma-Gamma
LOG_BOUND = 9.0  # parameters are searched in [e^-9, e^9]; ending at an edge is degenerate
_EDGE = 0.05


@dataclass(frozen=True)
class BgNbdParams:
    """Purchase rate ~ Gamma(r, alpha), dropout probability ~ Beta(a, b); time in unit_days."""

    r: float
    alpha: float
    a: float
    b: float
    unit_days: float = 7.0


@dataclass(frozen=True)
class GammaGammaParams:
    """Transaction value ~ Gamma(p, nu), nu ~ Gamma(q, v); v is in kuruş."""

    p: float
    q: float
    v: float


@dataclass(frozen=True)
class Prediction:
    """A member's chance of being active, expected purchases and spend over the horizon."""

    p_alive: float
    expected_purchases: float
    expected_spend_kurus: int


def _elapsed_units(start: datetime, end: datetime, unit_days: float) -> float:
    """Real time from `start` to `end` (offsets honoured) in units of `unit_days` days."""
    if not unit_days > 0:
        raise InvalidInput("The time unit must be a positive number of days.", code="invalid_unit")
    elapsed = end.astimezone(timezone.utc) - start.astimezone(timezone.utc)
    return elapsed.total_seconds() / (unit_days * 86_400)


def _transactions(purchases: Iterable[Purchase], now: datetime) -> list[tuple[datetime, int]]:
    """Purchases grouped by calendar day in the shop's zone: (first time of day, day total)."""
    days: dict[date, tuple[datetime, int]] = {}
    for purchase in history_as_of(purchases, now):
        day = purchase.at.astimezone(now.tzinfo).date()
        first, total = days.get(day, (purchase.at, 0))
        days[day] = (first, total + purchase.amount)
    if not days:
        raise InvalidInput("The member has no purchases to score.", code="no_purchases")
    return [days[day] for day in sorted(days)]


def summarise(purchases: Iterable[Purchase], now: datetime,
              unit_days: float = 7) -> tuple[int, float, float]:
    """(x, t_x, T): repeat transactions, time of the last one and age, from the first purchase."""
    history = history_as_of(purchases, now)
    transactions = _transactions(history, now)
    return summary_of_days(history[0].at, transactions[-1][0], len(transactions), now, unit_days)


def summary_of_days(first: datetime, last_day_first: datetime, days: int, now: datetime,
                    unit_days: float = 7) -> tuple[int, float, float]:
    """`summarise` from the first purchase, the first purchase of the last purchase day and the
    number of purchase days (shop time zone) up to `now`."""
    return (days - 1, _elapsed_units(first, last_day_first, unit_days),
            _elapsed_units(first, now, unit_days))


def summarise_value(purchases: Iterable[Purchase], now: datetime) -> tuple[int, float]:
    """(x, mean kuruş of the repeat transactions); the first one is left out, as in the papers."""
    repeats = [total for _, total in _transactions(purchases, now)[1:]]
    return len(repeats), (sum(repeats) / len(repeats) if repeats else 0.0)


def _summary_arrays(x: ArrayLike, t_x: ArrayLike,
                    T: ArrayLike) -> tuple[NDArray[np.float64], ...]:
    """Validated float arrays of the BG/NBD summary, or InvalidInput."""
    xs, ts, ages = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (x, t_x, T))
    if not xs.shape == ts.shape == ages.shape or xs.ndim != 1:
        raise InvalidInput("x, t_x and T must have the same length.", code="invalid_summary")
    ok = (np.isfinite(xs) & np.isfinite(ts) & np.isfinite(ages) & (xs >= 0)
          & (xs == np.round(xs)) & (ts >= 0) & (ts <= ages) & ((xs > 0) | (ts == 0)))
    if not ok.all():
        raise InvalidInput("Each customer needs whole x >= 0 and 0 <= t_x <= T "
                           "(t_x = 0 when x = 0).", code="invalid_summary")
    return xs, ts, ages


def _maximise(loglik: Callable[[NDArray[np.float64]], float], size: int) -> NDArray[np.float64]:
    """exp of the log-parameters maximising `loglik`, or Refused if the fit degenerates."""
    def objective(logp: NDArray[np.float64]) -> float:
        with np.errstate(all="ignore"):
            value = -loglik(np.exp(logp))
        return value if np.isfinite(value) else 1e300

    bounds = [(-LOG_BOUND, LOG_BOUND)] * size
    result = minimize(objective, np.zeros(size), method="L-BFGS-B", bounds=bounds)
    logp = result.x
    if not (np.isfinite(result.fun) and result.fun < 1e300) or np.any(
            np.abs(logp) > LOG_BOUND - _EDGE):
        raise Refused("Not enough history to fit the model: the estimate runs off to an "
                      "extreme. Try again when more members have bought again.",
                      code="not_enough_history")
    return np.exp(logp)


def _bgnbd_loglik(params: NDArray[np.float64], x: NDArray[np.float64],
                  t_x: NDArray[np.float64], T: NDArray[np.float64]) -> float:
    """Total BG/NBD log-likelihood (FHL 2005, eq. 6) at params (r, alpha, a, b)."""
    r, alpha, a, b = params
    head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b)
    stays = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    drops = np.full_like(x, -np.inf)
    drops[repeat] = (np.log(a) - np.log(b + x[repeat] - 1)
                     - (r + x[repeat]) * np.log(alpha + t_x[repeat]))
    return float(np.sum(head + np.logaddexp(stays, drops)))


def fit_bgnbd(x: ArrayLike, t_x: ArrayLike, T: ArrayLike, *,
              unit_days: float = 7) -> BgNbdParams:
    """Maximum-likelihood BG/NBD parameters from per-customer (x, t_x, T) in unit_days units."""
    xs, ts, ages = _summary_arrays(x, t_x, T)
    _checked_params((unit_days,))
    if len(xs) < MIN_CUSTOMERS or np.count_nonzero(xs) < MIN_REPEAT_CUSTOMERS:
        raise Refused(f"Not enough history to fit: need {MIN_CUSTOMERS} customers of whom "
                      f"{MIN_REPEAT_CUSTOMERS} bought again.", code="not_enough_history")
    scale = float(np.mean(ages)) or 1.0  # alpha is in time units: fit on a unit-free clock
    r, alpha, a, b = _maximise(lambda p: _bgnbd_loglik(p, xs, ts / scale, ages / scale), 4)
    return BgNbdParams(float(r), float(alpha * scale), float(a), float(b), float(unit_days))


def _checked_params(values: Iterable[float]) -> None:
    """Refuse model parameters that are not finite and positive."""
    if not all(np.isfinite(v) and v > 0 for v in values):
        raise InvalidInput("Model parameters must be finite and positive.", code="invalid_params")


def _log_drop_odds(params: BgNbdParams, x: NDArray[np.float64], t_x: NDArray[np.float64],
                   T: NDArray[np.float64]) -> NDArray[np.float64]:
    """log of a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x): the odds of having dropped out."""
    _checked_params((params.r, params.alpha, params.a, params.b, params.unit_days))
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = (np.log(params.a) - np.log(params.b + x - 1)
                + (params.r + x) * (np.log(params.alpha + T) - np.log(params.alpha + t_x)))
    return np.where(x > 0, odds, -np.inf)


def _scalar_or_array(values: NDArray[np.float64], like: ArrayLike) -> float | NDArray[np.float64]:
    """A float when the caller passed a scalar, the array otherwise."""
    return float(values[0]) if np.ndim(like) == 0 else values


def p_alive(params: BgNbdParams, x: ArrayLike, t_x: ArrayLike,
            T: ArrayLike) -> float | NDArray[np.float64]:
    """Probability that a customer with history (x, t_x, T) is still active (FHL 2005, eq. 13)."""
    xs, ts, ages = _summary_arrays(x, t_x, T)
    return _scalar_or_array(expit(-_log_drop_odds(params, xs, ts, ages)), x)


def _expected_if_alive(params: BgNbdParams, t: float, x: NDArray[np.float64],
                       T: NDArray[np.float64]) -> NDArray[np.float64]:
    """Expected transactions in the next t units of a customer known to be alive.

    (a+b+x-1)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)], and
    where scipy's 2F1 overflows, its Euler transform (1-z)^(a-1) 2F1(a+b-1-r, a-1; ...; z).
    Results outside [0, t x posterior mean rate] are numerical failures and are rejected.
    """
    r, alpha, b = params.r, params.alpha, params.b
    a = params.a if abs(params.a - 1) > 1e-7 else 1 + 1e-7  # a = 1 is a removable singularity
    z = t / (alpha + T + t)
    ceiling = (r + x) / (alpha + T) * t
    slack = 1e-6 * ceiling  # rounding in the cancellation 1 - 2F1(...) near the limits
    with np.errstate(all="ignore"):
        direct = 1 - np.exp((r + x) * np.log1p(-z)) * hyp2f1(r + x, b + x, a + b + x - 1, z)
        euler = 1 - np.exp((a - 1) * np.log1p(-z)) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
        candidates = [(a + b + x - 1) / (a - 1) * inner for inner in (direct, euler)]
    result = np.full_like(x, np.nan)
    for value in reversed(candidates):  # the direct form wins where both are sound
        sound = np.isfinite(value) & (value >= -slack) & (value <= ceiling + slack)
        result = np.where(sound, np.clip(value, 0.0, ceiling), result)
    return result


def expected_purchases(params: BgNbdParams, t: float, x: ArrayLike, t_x: ArrayLike,
                       T: ArrayLike) -> float | NDArray[np.float64]:
    """Expected transactions in the next `t` units given (x, t_x, T) (FHL 2005, eq. 10)."""
    if not np.isfinite(t) or t < 0:
        raise InvalidInput("The horizon must be zero or more.", code="invalid_horizon")
    xs, ts, ages = _summary_arrays(x, t_x, T)
    expected = _expected_if_alive(params, t, xs, ages) * expit(
        -_log_drop_odds(params, xs, ts, ages))
    if not np.all(np.isfinite(expected)):
        raise Refused("The expected purchases cannot be computed with these parameters "
                      "(an extreme fit); refit with more history.", code="prediction_failed")
    return _scalar_or_array(expected, x)


def _repeat_values(x: ArrayLike, mean_value: ArrayLike) -> tuple[NDArray[np.float64], ...]:
    """Validated (x, mean value) arrays of the customers with x >= 1 and a positive mean."""
    xs, ms = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (x, mean_value))
    if xs.shape != ms.shape or xs.ndim != 1 or not (np.all(np.isfinite(xs))
                                                   and np.all(np.isfinite(ms))):
        raise InvalidInput("x and mean_value must be finite and of the same length.",
                           code="invalid_summary")
    if np.any(xs < 0) or np.any(xs != np.round(xs)) or np.any(ms < 0):
        raise InvalidInput("x must be whole and >= 0, mean values >= 0.", code="invalid_summary")
    keep = (xs >= 1) & (ms > 0)
    return xs[keep], ms[keep]


def _gamma_gamma_loglik(params: NDArray[np.float64], x: NDArray[np.float64],
                        m: NDArray[np.float64]) -> float:
    """Total Gamma-Gamma log-likelihood of mean values m over x transactions at (p, q, v)."""
    p, q, v = params
    px = p * x
    return float(np.sum(gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(v)
                        + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * np.log(v + m * x)))


def fit_gamma_gamma(x: ArrayLike, mean_value: ArrayLike) -> GammaGammaParams:
    """Maximum-likelihood Gamma-Gamma parameters from repeat customers' mean value (kuruş).

    Customers with x = 0 or a zero mean are left out (they say nothing about spend).
    """
    xs, ms = _repeat_values(x, mean_value)
    if len(xs) < MIN_SPEND_CUSTOMERS:
        raise Refused(f"Not enough history to fit spend: need {MIN_SPEND_CUSTOMERS} members "
                      "who bought again.", code="not_enough_history")
    scale = float(np.mean(ms))  # v is in money units: fit on a unit-free amount
    p, q, v = _maximise(lambda params: _gamma_gamma_loglik(params, xs, ms / scale), 3)
    if q <= 1:
        raise Refused("Spend varies too much between members for a stable average; "
                      "the spend model is refused.", code="not_enough_history")
    return GammaGammaParams(float(p), float(q), float(v * scale))


def expected_average_value(params: GammaGammaParams, x: ArrayLike,
                           mean_value: ArrayLike) -> float | NDArray[np.float64]:
    """Expected value (kuruş) of a customer's future transaction given x and their mean.

    x = 0 gives the population mean v p / (q - 1).
    """
    xs, ms = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (x, mean_value))
    if xs.shape != ms.shape or np.any(xs < 0) or np.any(ms < 0):
        raise InvalidInput("x and mean_value must be >= 0 and of the same length.",
                           code="invalid_summary")
    p, q, v = params.p, params.q, params.v
    _checked_params((p, q, v))
    if q <= 1:
        raise InvalidInput("Gamma-Gamma needs q > 1 for a finite mean.", code="invalid_params")
    values = (v + ms * xs) * p / (p * xs + q - 1)
    return _scalar_or_array(values, x)


def predict_member(params_bg: BgNbdParams, params_gg: GammaGammaParams,
                   purchases: Iterable[Purchase], now: datetime,
                   horizon_days: int = 365) -> Prediction:
    """A member's p_alive, expected purchases and spend (kuruş, undiscounted) over the horizon."""
    purchases = list(purchases)
    x, t_x, T = summarise(purchases, now, params_bg.unit_days)
    alive = p_alive(params_bg, x, t_x, T)
    count = expected_purchases(params_bg, horizon_days / params_bg.unit_days, x, t_x, T)
    repeats, mean = summarise_value(purchases, now)
    value = expected_average_value(params_gg, repeats, mean)
    spend = round_half_up(Fraction(float(count)) * Fraction(float(value)))
    return Prediction(float(alive), float(count), spend)


def fit_or_none(summaries: list[tuple[int, float, float]]) -> BgNbdParams | None:
    """BG/NBD fitted to (x, t_x, T) summaries; None when there are none or the fit is refused
    (the reports then fall back to the simple churn risk)."""
    try:
        return fit_bgnbd(*zip(*summaries)) if summaries else None
    except (Refused, InvalidInput):
        return None


def risk_of(params: BgNbdParams | None, summary: tuple[int, float, float],
            purchases: Callable[[], list[Purchase]], now: datetime) -> tuple[bool, float | str]:
    """(at risk?, shown value) of one member: p_alive < 0.5 (rounded to 3 places) with a fit,
    else a high or medium `churn_risk` of its purchases."""
    if params is not None:
        score = float(p_alive(params, *summary))
        return score < 0.5, round(score, 3)
    shown = churn_risk(purchases(), now)
    return shown in ("high", "medium"), shown
