"""Statistics for reports: intervals for a model's mean score from its runs' checks, and for
proportions. Distributions are scipy.stats'.

A grade is a list of checks worth points (v1: 3 programs x build, run, output; v2: 10 tests;
go-tasks: one check per task; any exam whose grade is a list of checks), and a run's score is their
sum. Over the seeds of one model on one exam, the mean score M has two estimands:

- **on these tasks** (`score_posterior`, `summarize`): the exam's checks are fixed, only the seeds
  are a sample. M = c * S, a hurdle model (Mullahy 1986, "Specification and testing of some
  modified count data models", Journal of Econometrics 33): c is the share of runs that score
  anything (a run that does not build scores nothing), S the mean score of the runs that score.
  c has a robust mixture prior (`_rate_draws`): half Beta(a, b), the scoring rate of the exam's
  other models in the sweep (`Pool`) worth POOL_RUNS runs (an empirical-Bayes prior: Efron &
  Morris 1975, "Data analysis using Stein's estimator and its generalizations", JASA 70), half
  Jeffreys' Beta(1/2, 1/2), so that a model whose own runs conflict with the others' (one that
  compiles far more or far less often) moves its weight to the vague part instead of being pulled
  toward them (Schmidli et al. 2014, "Robust meta-analytic-predictive priors in clinical trials
  with historical control information", Biometrics 70); Jeffreys' alone when there are no others. S = sum_j w_j q_j over the checks' pass rates
  among scoring runs, each q_j ~ Beta with a prior worth CHECK_PRIOR_RUNS runs at the check's
  difficulty as the exam's other models see it, moved to the model's own level (`_check_prior`);
  the checks of one group (`program.stage`) fail together, groups apart, and the spread is scaled
  by the design effect the sweep's runs show (`_scoring_mean_draws`). The posterior is drawn by
  Monte Carlo (DRAWS draws of a fixed stream): a rate with no failure seen keeps the long tail
  toward the failures three runs may not have shown, so the interval is skewed where the truth is.
- **on tasks like these** (`items_interval`, exams of items only): the tasks too are a sample of the
  tasks the exam stands for. M = sum_t xbar_t over the T tasks' mean points, with the item-clustered
  standard error sqrt(T) sd(xbar_t) and T - 1 degrees of freedom (Miller 2024, "Adding Error Bars to
  Evals: A Statistical Approach to Language Model Evaluations", arXiv:2411.00640, section 2.2).

The bench `bench/stats_simulation.py` measures both intervals' coverage on simulated sweeps whose
truths are drawn from an item-response model of task difficulty.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, special, stats

CONFIDENCE = 0.95
NU0 = 1.0  # runs' worth of the prior on the run-to-run variance
POOL_RUNS = 2.0  # runs' worth of the exam's other models in the prior of the scoring rate
POOL_WEIGHT = 0.5  # prior weight of that part of the scoring rate's mixture prior (`_rate_draws`)
STEPS = 300  # bins of the tabulated posterior
DRAWS = 4000  # Monte Carlo draws of the posterior of a mean score
CHECK_PRIOR_RUNS = 2.0  # runs' worth of the prior on a check's pass rate (`_check_prior`)
JEFFREYS = 0.5
OTHER = "(other points)"  # points of a score no check accounts for

FloatArray = NDArray[np.float64]


def proportion_interval(k: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float] | None:
    """Wilson's score interval of a proportion k/n (Wilson 1927, JASA 22; scipy.stats.binomtest);
    None when n is 0."""
    if n == 0:
        return None
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    return float(ci.low), float(ci.high)


@dataclass(frozen=True)
class RunPoints:
    """One run's points per check (a check missing from the run scored 0 there)."""

    seed: int
    points: Mapping[str, float]
    # An exam of items with some left out (infra): the checks judged; its score is their share of
    # full marks, so `points` then holds the rest as OTHER. None: every check was judged.
    judged: frozenset[str] | None = None

    @property
    def score(self) -> float:
        """The run's score: the sum of its checks' points."""
        return float(sum(self.points.values()))


def runs_from_grades(
    grades: Sequence[tuple[int, float, Sequence[Mapping[str, object]]]], full_marks: float
) -> tuple[list[RunPoints], dict[str, float]]:
    """(seed, score, checks) of each grade as RunPoints, with each check's max points.

    A score's points that no check accounts for (a grade without checks, say) are kept as one more
    check, OTHER, worth what the checks leave of full marks; checks that claim more points than the
    score are scaled down to it (the score is the grade's verdict on the run).
    """
    marks: dict[str, float] = {}
    runs = []
    for seed, score, checks in grades:
        points: dict[str, float] = {}
        for check in checks:
            name = str(check.get("name"))
            points[name] = points.get(name, 0.0) + _number(check.get("points"))
            marks[name] = max(marks.get(name, 0.0), _number(check.get("max_points")))
        counted = sum(points.values())
        if counted > score:  # a grade whose checks claim more than its score: the score decides
            points = {name: p * score / counted for name, p in points.items()}
        elif counted < score:
            points[OTHER] = score - counted
        runs.append(RunPoints(seed, points))
    rest_marks = full_marks - sum(marks.values())
    if rest_marks > 0 or any(OTHER in r.points for r in runs):
        marks[OTHER] = max(rest_marks, max((r.points.get(OTHER, 0.0) for r in runs), default=0.0))
    return runs, {name: most for name, most in marks.items() if most > 0}


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def design_effect_terms(
    scoring: FloatArray, weights: FloatArray, names: Sequence[str]
) -> tuple[float, float, int]:
    """(observed, implied, k - 1) for the design effect of one model's scoring runs (runs x checks, shares):
    (k - 1) times the sample variance of their scores, and (k - 1) times the variance its checks'
    observed rates imply when a group's checks fail together and groups apart, made unbiased by
    k / (k - 1); (0, 0, 0) under two runs."""
    k = scoring.shape[0]
    if k < 2:
        return 0.0, 0.0, 0
    rate = scoring.mean(axis=0)
    groups = np.array([n.split(".", 1)[0] for n in names])
    implied = 0.0
    for g in set(groups.tolist()):
        sel = groups == g
        r, m = rate[sel], weights[sel]
        implied += float(m @ (np.minimum.outer(r, r) - np.outer(r, r)) @ m)
    return float((k - 1) * (scoring @ weights).var(ddof=1)), k * implied, k - 1


@dataclass(frozen=True)
class Pool:
    """The runs of an exam's other models: how many scored anything, of how many, and per check
    the points its scoring runs got (in units of the check's max points when `pool_of` is given
    the marks; a check missing: none passed)."""

    scoring: int
    runs: int
    passed: Mapping[str, float] = field(default_factory=dict)
    observed: float = 0.0  # design-effect terms summed over the models (`design_effect_terms`)
    implied: float = 0.0
    dof: int = 0

    @property
    def runs_scoring(self) -> int:
        """The scoring runs the per-check passes are counted over."""
        return self.scoring


def pool_of(runs: Sequence[RunPoints], marks: Mapping[str, float] | None = None) -> Pool:
    """The Pool of `runs` (one model's, or several models' taken as one): those that scored above
    zero, of all, and (given the checks' `marks`) each check's passes over the scoring runs (partial
    points count as a share) and the runs' design-effect terms."""
    return pool_of_models([runs], marks)


def pool_of_models(models: Sequence[Sequence[RunPoints]], marks: Mapping[str, float] | None = None) -> Pool:
    """The Pool of the runs of several models of one exam: `pool_of` over all their runs, the
    design-effect terms summed model by model (each model about its own mean)."""
    runs = [r for m in models for r in m]
    scoring = [r for r in runs if r.score > 0]
    names = sorted(n for n, most in (marks or {}).items() if most > 0)
    passed: dict[str, float] = {}
    observed = implied = 0.0
    dof = 0
    if names:
        weights = np.array([(marks or {})[n] for n in names], dtype=float)
        for model in models:
            _, shares = _shares(model, {n: (marks or {})[n] for n in names})
            mine = shares[shares @ weights > 0]
            for j, n in enumerate(names):
                passed[n] = passed.get(n, 0.0) + float(mine[:, j].sum())
            o, i, d = design_effect_terms(mine, weights, names)
            observed, implied, dof = observed + o, implied + i, dof + d
    return Pool(len(scoring), len(runs), passed, observed, implied, dof)


def _shares(runs: Sequence[RunPoints], marks: Mapping[str, float]) -> tuple[FloatArray, FloatArray]:
    """(weights, shares): each check's max points, and each run's share of them (runs x checks, in
    [0, 1]); ValueError when the checks are worth nothing."""
    names = sorted(marks)
    weights = np.array([marks[n] for n in names], dtype=float)
    if weights.sum() <= 0:
        raise ValueError("an exam needs at least one check worth a point")
    shares = np.array(
        [[min(max(r.points.get(n, 0.0) / marks[n], 0.0), 1.0) for n in names] for r in runs], dtype=float
    ).reshape(len(runs), len(names))
    return weights, shares


def prior_variance(runs: Sequence[RunPoints], marks: Mapping[str, float], pool: Pool | None = None) -> float:
    """The hurdle model's variance of one run's score (points^2), from the runs' checks: see the
    module. `pool` is the exam's other models' runs (None: Jeffreys' prior on the scoring rate)."""
    weights, shares = _shares(runs, marks)
    scores = shares @ weights
    scoring = shares[scores > 0]
    n, k = len(runs), int(scoring.shape[0])
    a, b = _rate_prior(pool)
    c = (k + a) / (n + a + b)
    level = float(scores[scores > 0].mean()) if k else float(weights.sum()) / 2.0
    return c * (1.0 - c) * level**2 + c * grouped_variance(scoring.sum(axis=0), k, weights, sorted(marks))


def _rate_prior(pool: Pool | None) -> tuple[float, float]:
    """The Beta prior of the scoring rate: the pool's rate worth POOL_RUNS runs, else Jeffreys'."""
    if pool is None or pool.runs == 0:
        return JEFFREYS, JEFFREYS
    rate = (pool.scoring + JEFFREYS) / (pool.runs + 1.0)
    return POOL_RUNS * rate, POOL_RUNS * (1.0 - rate)


def _rate_draws(k: int, n: int, pool: Pool | None, rng: np.random.Generator) -> FloatArray:
    """DRAWS draws of the posterior of the scoring rate after k scoring runs of n, under the robust
    mixture prior of the module: POOL_WEIGHT of `_rate_prior(pool)` and the rest Jeffreys'. Each
    part is conjugate, so the posterior is the mixture of the two Beta posteriors, each part's weight
    its prior weight times its marginal likelihood of the data (the beta-binomial's, up to the
    binomial coefficient both share)."""
    a, b = _rate_prior(pool)
    if (a, b) == (JEFFREYS, JEFFREYS):
        return rng.beta(k + a, n - k + b, DRAWS)
    parts = ((a, b, POOL_WEIGHT), (JEFFREYS, JEFFREYS, 1.0 - POOL_WEIGHT))
    log_weights = np.array(
        [
            (math.log(w) if w > 0 else -math.inf)
            + special.betaln(pa + k, pb + n - k)
            - special.betaln(pa, pb)
            for pa, pb, w in parts
        ]
    )
    weights = np.exp(log_weights - log_weights.max())
    from_pool = rng.random(DRAWS) < weights[0] / weights.sum()
    draws: FloatArray = np.where(
        from_pool, rng.beta(k + a, n - k + b, DRAWS), rng.beta(k + JEFFREYS, n - k + JEFFREYS, DRAWS)
    )
    return draws


def grouped_variance(passed: FloatArray, runs: int, marks: FloatArray, names: Sequence[str]) -> float:
    """The variance of a sum of checks worth `marks` (named `names`), each passing at its
    Jeffreys-smoothed rate (passed + 1/2) / (runs + 1); `passed` counts passes (fractional for
    partial points). Checks of one group (one program's `program.stage` checks, which fail together
    when the program does not build) pass and fail together, the largest variance those rates
    allow (comonotonic: Dhaene et al. 2002, "The concept of comonotonicity in actuarial science
    and finance: theory", Insurance: Mathematics and Economics 31); groups are independent."""
    rate = (passed + JEFFREYS) / (runs + 1.0)
    groups = np.array([n.split(".", 1)[0] for n in names])
    total = 0.0
    for g in set(groups.tolist()):
        sel = groups == g
        r, m = rate[sel], marks[sel]
        joint = np.minimum.outer(r, r) - np.outer(r, r)
        total += float(m @ joint @ m)
    return total


@dataclass(frozen=True)
class ScorePosterior:
    """The posterior of one model's mean score on one exam; `pmf[i]` is the probability that the
    mean lies in the bin centred on `grid[i]` (points; evenly spaced)."""

    full_marks: float
    n: int  # runs
    scoring: int  # runs that scored above zero
    at_full_marks: int  # runs with full marks
    sample_mean: float | None
    grid: FloatArray
    pmf: FloatArray

    @property
    def mean(self) -> float:
        """The posterior mean of the mean score (points)."""
        return float(np.dot(self.grid, self.pmf))

    @property
    def sd(self) -> float:
        """The posterior standard deviation of the mean score (points)."""
        return float(np.sqrt(max(float(np.dot(self.grid**2, self.pmf)) - self.mean**2, 0.0)))

    def interval(self, confidence: float = CONFIDENCE) -> tuple[float, float]:
        """The equal-tailed credible interval at `confidence`, in points; as for Jeffreys' interval, an
        end the data sit on is the bound itself (all runs at full marks: the upper end is full marks;
        all at zero: the lower end is zero)."""
        low, high = quantiles(self.grid, self.pmf, confidence)
        if self.n and self.at_full_marks == self.n:
            high = self.full_marks
        if self.n and self.scoring == 0:
            low = 0.0
        return low, high


def quantiles(grid: FloatArray, pmf: FloatArray, confidence: float) -> tuple[float, float]:
    """The (1 - confidence) / 2 and (1 + confidence) / 2 quantiles of a tabulated distribution whose
    `grid` holds evenly spaced bin centres, interpolated within bins."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    half = (grid[1] - grid[0]) / 2.0
    edges = np.concatenate([[grid[0] - half], grid + half])
    cdf = np.concatenate([[0.0], np.cumsum(pmf)])
    cdf /= cdf[-1]
    tail = (1.0 - confidence) / 2.0
    low, high = np.interp([tail, 1.0 - tail], cdf, edges)
    return float(low), float(high)


def score_posterior(
    runs: Sequence[RunPoints], marks: Mapping[str, float], pool: Pool | None = None
) -> ScorePosterior:
    """The posterior of the mean score of `runs` on these tasks (see the module), whose checks are
    worth `marks` (full marks = their sum); `pool`: the exam's other models' runs. It is tabulated
    on STEPS bins from DRAWS Monte Carlo draws of a fixed random stream (the same runs always give
    the same interval). Raises ValueError when the checks are worth nothing."""
    weights, shares = _shares(runs, marks)
    full = float(weights.sum())
    scores = shares @ weights
    scoring = shares[scores > 0]
    n, k = len(runs), int(scoring.shape[0])
    rng = np.random.default_rng(0)
    rate = _rate_draws(k, n, pool, rng)
    if k == 0:  # nothing is known of what a scoring run would score
        s_draws = rng.uniform(0.0, full, DRAWS)
    else:
        s_draws = _scoring_mean_draws(
            scoring, weights, sorted(marks), _check_prior(scoring, marks, pool), pool, rng
        )
    m_draws = rate * s_draws
    edges = np.linspace(
        float(m_draws.min()), max(float(m_draws.max()), float(m_draws.min()) + 1e-6), STEPS + 1
    )
    pmf = np.histogram(m_draws, edges)[0].astype(float)
    pmf /= pmf.sum()
    centres = (edges[:-1] + edges[1:]) / 2.0
    return ScorePosterior(
        full, n, k, int(np.sum(scores >= full - 1e-9)), float(scores.mean()) if n else None, centres, pmf
    )


def _check_prior(scoring: FloatArray, marks: Mapping[str, float], pool: Pool | None) -> FloatArray:
    """Each check's prior pass rate for a model whose scoring runs passed `scoring` (runs x checks,
    shares): the pass rates of the exam's other models on the check (Jeffreys-smoothed; 1/2 without
    a pool), shifted on the logit scale by one amount so that their mean is the model's own mean
    rate: the checks' difficulty from the other models, the model's level from its own runs (the
    Rasch model's split of the two: Rasch 1960, "Probabilistic Models for Some Intelligence and
    Attainment Tests")."""
    names = sorted(marks)
    if pool is None or pool.runs_scoring == 0:
        base = np.full(len(names), 0.5)
    else:
        base = np.array(
            [(pool.passed.get(n, 0.0) + JEFFREYS) / (pool.runs_scoring + 1.0) for n in names], dtype=float
        )
    own = (float(scoring.sum()) + JEFFREYS) / (scoring.size + 1.0)
    logits = special.logit(np.clip(base, 1e-6, 1 - 1e-6))

    def gap(shift: float) -> float:
        return float(special.expit(logits + shift).mean()) - own

    shift = optimize.brentq(gap, -40.0, 40.0)
    prior: FloatArray = special.expit(logits + shift)
    return prior


def _scoring_mean_draws(
    scoring: FloatArray,
    weights: FloatArray,
    names: Sequence[str],
    prior: FloatArray,
    pool: Pool | None,
    rng: np.random.Generator,
) -> FloatArray:
    """DRAWS draws of the mean score of a scoring run: each check's pass rate Beta(passes +
    CHECK_PRIOR_RUNS * prior, fails + CHECK_PRIOR_RUNS * (1 - prior)), the checks of one group
    (`program.stage`) coupled comonotonically (the same rank in every check's draws: they pass and
    fail together), groups independent; the draws' spread around their mean is then scaled by the
    square root of the design effect (Kish 1965, "Survey Sampling", section 8.2): the observed
    variance of a run's score over the variance its checks' rates imply under that coupling, pooled
    over the model's and the exam's other models' runs (`design_effect_terms`, `Pool`) and shrunk
    toward 1 by NU0 runs, so that checks the exam shows failing together across groups (a run's
    luck) widen it, and checks that fail apart narrow it. The effect is known from that many runs
    only: each draw takes its own from the scaled inverse chi-square with NU0 + (runs - 1)
    degrees of freedom around the estimate (Gelman et al., "Bayesian Data Analysis", 3rd ed.,
    section 3.2), which gives the draws Student's tails when the sweep has few runs."""
    k = scoring.shape[0]
    passed = scoring.sum(axis=0)
    draws = np.sort(
        rng.beta(
            passed + CHECK_PRIOR_RUNS * prior,
            k - passed + CHECK_PRIOR_RUNS * (1.0 - prior),
            (DRAWS, passed.size),
        ),
        axis=0,
    )
    groups = np.array([n.split(".", 1)[0] for n in names])
    coupled = np.empty_like(draws)
    for g in sorted(set(groups.tolist())):
        sel = groups == g
        coupled[:, sel] = draws[rng.permutation(DRAWS)][:, sel]
    s_draws: FloatArray = coupled @ weights
    observed, implied, dof = design_effect_terms(scoring, weights, names)
    if pool is not None:
        observed, implied, dof = observed + pool.observed, implied + pool.implied, dof + pool.dof
    effect = (NU0 + dof * observed / implied) / (NU0 + dof) if implied > 0 else 1.0
    spread = effect * (NU0 + dof) / rng.chisquare(NU0 + dof, DRAWS)  # unknown: scaled inverse chi-square
    centre = float(s_draws.mean())
    scaled: FloatArray = np.clip(centre + (s_draws - centre) * np.sqrt(spread), 0.0, float(weights.sum()))
    return scaled


@dataclass(frozen=True)
class Estimate:
    """Student's t for a mean (a posterior, or a sampling distribution): `centre` and `scale` in
    points, `df` degrees of freedom; its intervals are cut to [low_bound, high_bound]."""

    centre: float
    scale: float
    df: float
    low_bound: float = -math.inf
    high_bound: float = math.inf

    def interval(self, confidence: float = CONFIDENCE) -> tuple[float, float]:
        """The equal-tailed interval at `confidence`, in points (ValueError outside (0, 1))."""
        if not 0.0 < confidence < 1.0:
            raise ValueError(f"confidence must be in (0, 1), got {confidence}")
        if self.scale <= 0.0:
            low = high = self.centre
        else:
            low, high = (float(x) for x in stats.t.interval(confidence, self.df, self.centre, self.scale))
        return max(low, self.low_bound), min(high, self.high_bound)


def shrunk_estimate(values: FloatArray, prior: float, low_bound: float, high_bound: float) -> Estimate:
    """The mean of `values` (one a seed) under the normal model whose variance has a conjugate
    prior worth NU0 values at `prior` (points^2): see the module. ValueError when there are none."""
    n = values.size
    if n == 0:
        raise ValueError("no runs to estimate a mean from")
    spread = float(values.var(ddof=1)) if n > 1 else 0.0
    variance = (NU0 * prior + (n - 1) * spread) / (NU0 + n - 1)
    return Estimate(float(values.mean()), math.sqrt(variance / n), NU0 + n - 1, low_bound, high_bound)


def task_means(runs: Sequence[RunPoints], marks: Mapping[str, float]) -> FloatArray:
    """Per task (check, in sorted order), its mean points over `runs`. When some runs left tasks
    out (`RunPoints.judged`), each task's mean is over the runs that judged it (NaN when none did)
    and OTHER, the left-out tasks' share of a score, is no task and is left out of the array."""
    weights, shares = _shares(runs, marks)
    if all(r.judged is None for r in runs):
        means: FloatArray = shares.mean(axis=0) * weights
        return means
    names = sorted(marks)
    tasks = np.array([n != OTHER for n in names], dtype=bool)
    judged = np.array([[r.judged is None or n in r.judged for n in names] for r in runs], dtype=bool).reshape(
        len(runs), len(names)
    )
    counts = judged.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_task: FloatArray = (shares * judged).sum(axis=0) / counts * weights
    judged_tasks: FloatArray = per_task[tasks]
    return judged_tasks


def clustered_estimate(per_task: FloatArray, low_bound: float, high_bound: float) -> Estimate | None:
    """The sum over the T tasks of `per_task` with tasks as a sample: T times the mean of the tasks
    known (NaN: a task not judged, taken as one of the others), with the item-clustered standard
    error, sqrt(T) sd when all are known, on (tasks known - 1) degrees of freedom (Miller 2024, see
    the module); None under two tasks known."""
    tasks = per_task.size
    known = per_task[~np.isnan(per_task)]
    if known.size < 2:
        return None
    scale = tasks * float(known.std(ddof=1)) / math.sqrt(known.size)
    return Estimate(tasks * float(known.mean()), scale, known.size - 1, low_bound, high_bound)


def items_interval(runs: Sequence[RunPoints], marks: Mapping[str, float]) -> Estimate | None:
    """The mean score on tasks like these (the module's second estimand); None without runs or with
    fewer than two tasks."""
    if not runs:
        return None
    return clustered_estimate(task_means(runs, marks), 0.0, float(sum(marks.values())))


@dataclass(frozen=True)
class Summary:
    """Mean, spread and the intervals of one model's scores on one exam."""

    n: int
    mean: float | None
    minimum: float | None
    maximum: float | None
    stdev: float | None  # sample standard deviation (n - 1)
    ci_low: float | None  # on these tasks
    ci_high: float | None
    items_low: float | None = None  # on tasks like these (exams of items only)
    items_high: float | None = None


def summarize(
    runs: Sequence[RunPoints],
    marks: Mapping[str, float],
    confidence: float = CONFIDENCE,
    *,
    pool: Pool | None = None,
    items: bool = False,
) -> Summary:
    """Summarize the runs' scores with the module's intervals (the second only when `items`); the
    intervals are None when n is 0."""
    scores = [r.score for r in runs]
    if not scores:
        return Summary(0, None, None, None, None, None, None)
    low, high = score_posterior(runs, marks, pool).interval(confidence) if marks else (None, None)
    clustered = items_interval(runs, marks) if items and marks else None
    items_low, items_high = clustered.interval(confidence) if clustered else (None, None)
    stdev = float(np.std(scores, ddof=1)) if len(scores) > 1 else None
    return Summary(
        len(scores), float(np.mean(scores)), min(scores), max(scores), stdev, low, high, items_low, items_high
    )
