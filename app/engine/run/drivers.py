"""Two drivers around the generated kernels, as torch.optim has its single-tensor and
foreach kernels behind one dispatch (``dispatch.py`` chooses; nothing else does).

* ``catalog``: catalog functions, whole chunks of steps inside the kernel (the function is
  compiled too: ``run_catalog``).
* ``array``: any function numpy evaluates (typed formulas, data fits), or any function with
  gradient noise or mini-batches; Python loops over steps, the kernel advances the runs
  (``advance_rows``). Catalog functions are evaluated by the same compiled code here, so
  both drivers give the same bits for the same request (a conformance test checks it).

Both keep every run's state in one set of arrays (``Batch``) and call the same ``advance``;
both step a ReduceLROnPlateau (``optim/plateau.py``) and SAM's second evaluation
(``optim/sam.py``) the same way. Basins' vectorised driver: ``vector_driver.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.engine.data.sampling import MinibatchSchedule
from app.engine.functions import LossFunction
from app.engine.optim import Optimizer, hyper_table
from app.engine.optim import plateau as plateaus
from app.engine.optim import sam as sams
from app.engine.optim.plateau import Plateau
from app.engine.optim.schedule_sims import NO_MOMENTUM
from app.engine.optim.schedules import ScheduleError, tables
from app.engine.run import codegen
from app.engine.run.advance import RUNNING
from app.engine.run.cancel import ShouldStop, check, chunk_steps
from app.engine.run.catalog_kernels import kernel_code
from app.engine.run.result import BatchResult


@dataclass
class Batch:
    """Every run's parameters, state and outcome, and the history being recorded."""

    P: np.ndarray  # (n, dims) parameters
    S: np.ndarray  # (slots, n, dims) optimizer state, the rule's named slots in order
    H: np.ndarray  # (n, columns) hyper-parameters
    status: np.ndarray  # (n,) RUNNING or a status code
    npts: np.ndarray  # (n,) points kept
    last: np.ndarray  # (n, dims + 1) last finite point and its loss
    record: bool
    history: tuple[np.ndarray, ...]  # points, losses, norms, gradients, state slots
    settings: np.ndarray  # (groups, columns) the distinct hyper rows
    grp: np.ndarray  # (n,) each run's row in ``settings``
    per_step: int  # values the rule's per_step returns
    # (groups, steps + 2): lr_table[g, u] is the lr of update u of setting g (u = 1..steps + 1;
    # column 0 repeats column 1): its schedule, or its constant lr; mom_table the same for the
    # momentum (or β1) a CyclicLR/OneCycleLR cycles (zeros for an optimizer without one)
    lr_table: np.ndarray
    mom_table: np.ndarray
    scheduled: int  # per-step columns read from the tables: lr[, momentum]
    plateau: Plateau | None = None  # ReduceLROnPlateau: one group per run, lr set each step
    sam: bool = False  # SAM around the rule: H's last two columns are rho and adaptive
    probes: np.ndarray | None = None  # SAM, recorded: (steps + 1, n, dims + 1) w + e, f(w + e)

    def per_step_table(self, module, k0: int, k1: int) -> np.ndarray:
        """The rule's per-step values, lr and momentum for steps k0..k1 - 1 of each setting."""
        C = np.empty((len(self.settings), k1 - k0, self.per_step + self.scheduled))
        module.tabulate(self.settings, self.lr_table[:, k0 : k1 + 1],
                        self.mom_table[:, k0 : k1 + 1], k0, k1, C)  # fmt: skip
        return C

    def after_step(self, k: int, rows: np.ndarray, losses: np.ndarray) -> None:
        """ReduceLROnPlateau.step(loss at point k): the lr of update k + 2 of each run."""
        if self.plateau is not None and rows.size:
            self.plateau.step(rows, losses[rows])
            self.lr_table[rows, k + 2] = self.plateau.lr[rows]

    @classmethod
    def start(cls, optimizer: Optimizer, starts: np.ndarray, steps: int, record: bool,
              include_state: bool) -> Batch:  # fmt: skip
        rule = optimizer.rule
        n, dims = starts.shape
        optimizer.settings_for(n)  # one setting for all, or one per run
        table = hyper_table(rule, optimizer.settings)
        H = np.ascontiguousarray(np.broadcast_to(table, (n, table.shape[1])))
        schedule = optimizer.schedule
        plateau = schedule is not None and schedule.feedback
        # a plateau's lr is each run's own: one group per run
        settings, grp = _distinct_rows(H, len(optimizer.settings) == 1 and not plateau, plateau)
        lr = rule.columns.index("lr")
        mom = rule.columns.index(rule.momentum_column) if rule.momentum_column else None
        if schedule is not None and schedule.cycles_momentum and mom is None:
            raise ScheduleError("cycle_momentum", NO_MOMENTUM)
        lrs, moms = tables(schedule, settings[:, lr], None if mom is None else settings[:, mom],
                           steps + 1, steps)  # fmt: skip
        lrs = np.ascontiguousarray(np.concatenate([lrs[:, :1], lrs], axis=1))
        moms = np.ascontiguousarray(np.concatenate([moms[:, :1], moms], axis=1))
        first = H.copy()
        first[:, lr] = lrs[grp, 1]  # a slot that starts at lr starts at the first step's
        S = np.zeros((len(rule.slots), n, dims))
        for j, values in rule.initial_values(first, starts).items():
            S[j] = values
        last = np.concatenate([starts, np.full((n, 1), np.nan)], axis=1)
        rows = steps + 1 if record else 0
        slots = len(rule.slots) if record and include_state else 0
        history = (
            np.full((rows, n, dims) if rows else (0, 0, 0), np.nan),
            np.full((rows, n) if rows else (0, 0), np.nan),
            np.full((rows, n) if rows else (0, 0), np.nan),
            np.full((rows, n, dims) if rows else (0, 0, 0), np.nan),
            np.full((slots, rows, n, dims) if slots else (0, 0, 0, 0), np.nan),
        )
        probes = np.full((rows, n, dims + 1) if optimizer.sam and rows else (0, 0, 0), np.nan)
        return cls(starts.copy(), S, H, np.full(n, RUNNING, dtype=np.int64),
                   np.zeros(n, dtype=np.int64), last, record, history, settings,
                   grp, len(rule.per_step_names), lrs, moms, len(rule.scheduled),
                   Plateau(schedule, settings[:, lr]) if plateau else None,
                   optimizer.sam, probes)  # fmt: skip

    def kernel_extras(self) -> tuple:
        """run_catalog's plateau state and parameters, lr table, SAM flag and probes."""
        plateau = self.plateau
        return (plateaus.NONE if plateau is None else plateau.state,
                plateaus.OFF if plateau is None else plateau.params, self.lr_table, self.sam,
                self.probes)  # fmt: skip

    def tail(self) -> tuple:
        return (self.status, self.npts, self.last, self.record, *self.history)

    def result(self, optimizer: Optimizer, include_state: bool) -> BatchResult:
        dims = self.P.shape[1]
        history = None
        if self.record:
            points, losses, norms, gradients, states = self.history
            history = {"points": points, "losses": losses, "grad_norms": norms,
                       "gradients": gradients}  # fmt: skip
            for j, slot in enumerate(optimizer.rule.slots if include_state else ()):
                history["state:" + slot] = states[j]
        extras = None
        if self.sam and self.record:  # two evaluations a step; the second at w + e
            steps = np.maximum(self.npts - 1, 0)
            extras = [{"evaluations": np.full(steps[i], 2, dtype=np.int64),
                       "probes": self.probes[: steps[i], i, None, :]}
                      for i in range(len(steps))]  # fmt: skip
        return BatchResult(
            status=self.status.copy(), steps_taken=np.maximum(self.npts - 1, 0),
            n_points=self.npts.copy(), final_points=self.last[:, :dims].copy(),
            final_losses=self.last[:, dims].copy(), history=history,
            lrs=self.lr_table[self.grp, 1:] if self.record else None, extras=extras,
            states_of=_states_of(optimizer) if include_state and self.record else None,
        )  # fmt: skip


def _distinct_rows(H: np.ndarray, one: bool, each: bool = False
                   ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """The distinct rows of H and each run's index among them (``each``: every run alone)."""
    if one:
        return H[:1].copy(), np.zeros(len(H), dtype=np.int64)
    if each:
        return H.copy(), np.arange(len(H), dtype=np.int64)
    index: dict[bytes, int] = {}
    grp = np.array([index.setdefault(r.tobytes(), len(index)) for r in H], dtype=np.int64)
    first = {g: i for i, g in reversed(list(enumerate(grp.tolist())))}
    return H[[first[g] for g in range(len(index))]].copy(), grp


def _states_of(optimizer: Optimizer):
    rule = optimizer.rule
    settings = optimizer.settings

    def states_of(i: int, slots: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        hyper = settings[i if len(settings) > 1 else 0]
        shown = {name: slots[name] for name in rule.shown(hyper)}
        if rule.derived is not None:
            t = np.maximum(np.arange(len(next(iter(slots.values())))), 1)[:, None]
            shown |= rule.derived(slots, t, hyper)
        return shown

    return states_of


def run_catalog(f: LossFunction, batch: Batch, optimizer: Optimizer, steps: int, tol: float,
                should_stop: ShouldStop) -> None:  # fmt: skip
    module = codegen.rule_module(optimizer.rule)
    code = kernel_code(f)
    G = np.zeros_like(batch.P)
    chunk = chunk_steps(int((batch.status == RUNNING).sum()))
    for k0 in range(0, steps + 1, chunk):
        k1 = min(k0 + chunk, steps + 1)
        C = batch.per_step_table(module, k0, k1)
        module.run_catalog(code, k0, k1, steps, tol, batch.P, batch.S, batch.H, C, batch.grp, G,
                           *batch.kernel_extras(), *batch.tail())  # fmt: skip
        if not (batch.status == RUNNING).any():
            break
        check(should_stop)


def evaluate(f: LossFunction, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Loss and gradient at each row: compiled for catalog functions, numpy otherwise."""
    code = kernel_code(f)
    if code is None:
        return f.value(points), f.gradient(points)
    losses, grads = np.empty(len(points)), np.empty_like(points)
    codegen.catalog_module().evaluate(code, np.ascontiguousarray(points), losses, grads)
    return losses, grads


def run_arrays(f: LossFunction, batch: Batch, optimizer: Optimizer, steps: int, tol: float,
               gradient_noise: float, seed: int, minibatches: MinibatchSchedule | None,
               should_stop: ShouldStop) -> None:  # fmt: skip
    """Each step: numpy evaluates the running runs, the kernel advances them. ``σ`` noise is
    drawn with shape (n, dims) every step, so a run's noise never depends on the others."""
    module = codegen.rule_module(optimizer.rule)
    n, dims = batch.P.shape
    rng = np.random.default_rng(seed) if gradient_noise > 0 else None
    L, G, GU = np.zeros(n), np.zeros((n, dims)), np.zeros((n, dims))
    with np.errstate(all="ignore"):
        for k in range(steps + 1):
            rows = np.flatnonzero(batch.status == RUNNING)
            if rows.size == 0:
                break
            points = batch.P[rows]
            L[rows], G[rows] = evaluate(f, points)
            GU[rows] = G[rows]
            if k < steps and minibatches is not None:
                GU[rows] = f.sample_gradient(points, minibatches.indices(k))
            if k < steps and rng is not None:
                GU[rows] += gradient_noise * rng.standard_normal((n, dims))[rows]
            if k < steps and batch.sam:
                _sam_gradient(f, batch, k, rows, GU, minibatches, gradient_noise, rng)
            C = batch.per_step_table(module, k, k + 1)
            module.advance_rows(k, steps, tol, rows, L, G, GU, batch.P, batch.S, batch.H, C,
                                batch.grp, *batch.tail())  # fmt: skip
            batch.after_step(k, rows[batch.status[rows] == RUNNING], L)
            check(should_stop)  # every step: a step of a big formula can take milliseconds


def _sam_gradient(f: LossFunction, batch: Batch, k: int, rows: np.ndarray, GU: np.ndarray,
                  minibatches: MinibatchSchedule | None, noise: float, rng) -> None:
    """SAM's second gradient, in GU: at w + e, e from the step's gradient (mini-batch and
    noise included: the reference perturbs with the gradient it has), on the same
    mini-batch, with fresh noise."""
    n, dims = batch.P.shape
    E = np.zeros((n, dims))
    columns = batch.H.shape[1] - 2
    sams.perturb_rows(batch.P, GU, rows, batch.H[:, columns], batch.H[:, columns + 1], E)
    points = batch.P[rows] + E[rows]
    losses, GU[rows] = evaluate(f, points)
    if minibatches is not None:
        GU[rows] = f.sample_gradient(points, minibatches.indices(k))
    if rng is not None:
        GU[rows] += noise * rng.standard_normal((n, dims))[rows]
    if batch.record:
        batch.probes[k, rows, :dims], batch.probes[k, rows, dims] = points, losses
