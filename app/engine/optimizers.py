"""Optimizers that reproduce ``torch.optim`` (2.x, single-tensor CPU path) in float64 numpy.

Each optimizer is a pair of pure functions in the optax style::

    state = opt.init(params)                       # params: (n, dims)
    step, state = opt.update(grad, state, params)  # new params = params + step

The arithmetic follows torch's kernels term by term (``add(x, alpha=a)`` is ``p + a*x``,
``addcdiv(t1, t2, value=v)`` is ``p + v*t1/t2``, ``lerp`` switches form at weight 0.5), so
trajectories agree with torch to rounding. ``describe(state)`` names the per-run state
vectors an inspector shows. Validation raises ``ValueError`` with torch's own messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from app.engine.optimizer_specs import SPECS, OptimizerSpec, resolve

Array = np.ndarray


class Optimizer(NamedTuple):
    name: str
    hyperparams: dict[str, Any]
    init: Callable[[Array], Any]
    update: Callable[[Array, Any, Array], tuple[Array, Any]]
    describe: Callable[[Any], dict[str, Array]]


def _lerp(start: Array, end: Array, weight: float | Array) -> Array:
    # torch's CPU lerp kernel uses two algebraically equal forms, split at |weight| = 0.5.
    if not isinstance(weight, np.ndarray):
        if abs(weight) < 0.5:
            return start + weight * (end - start)
        return end - (end - start) * (1.0 - weight)
    low = start + weight * (end - start)
    return np.where(np.abs(weight) < 0.5, low, end - (end - start) * (1.0 - weight))


def _pow(base: float | Array, exponent: float) -> float | Array:
    """Python's ``float ** float`` (C ``pow``), as torch computes bias corrections, also for
    one β per run: numpy's power takes shortcuts (``x ** 0.5`` is ``sqrt``) that can differ
    in the last bit."""
    if not isinstance(base, np.ndarray):
        return base**exponent
    values, where = np.unique(base, return_inverse=True)
    powers = np.array([float(v) ** exponent for v in values.tolist()])
    return powers[where].reshape(base.shape)


def _any(condition) -> bool:
    """A branch on a hyper-parameter that may hold one value per run (see hyper.py): the
    general branch is computed when any run needs it, and ``_where`` keeps the rest exact."""
    if isinstance(condition, bool | np.bool_):  # the usual scalar case, kept cheap
        return bool(condition)
    return bool(np.any(condition))


def _where(condition, chosen: Array, other: Array) -> Array:
    """``chosen`` for the runs where ``condition`` holds: with one hyper-parameter value per
    run (hyper.py), runs without momentum must keep torch's momentum-free update exactly."""
    if isinstance(condition, bool | np.bool_):
        return chosen if condition else other
    return np.where(condition, chosen, other)


def _with_weight_decay(grad: Array, params: Array, weight_decay: float | Array) -> Array:
    return grad + weight_decay * params if _any(weight_decay != 0) else grad


class SgdState(NamedTuple):
    count: int
    momentum_buffer: Array


def sgd(lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False) -> Optimizer:
    """Stochastic gradient descent, as ``torch.optim.SGD``.

    g_t = ∇f(θ_t) + λθ_t
    b_1 = g_1 (the buffer starts at the first gradient, not at 0),
    b_t = μ b_{t-1} + (1 − τ) g_t                 for t > 1
    d_t = g_t + μ b_t (nesterov) | b_t (μ ≠ 0) | g_t (μ = 0)
    θ_{t+1} = θ_t − γ d_t
    """

    def init(params: Array) -> SgdState:
        return SgdState(0, np.zeros_like(params))

    def update(grad: Array, state: SgdState, params: Array) -> tuple[Array, SgdState]:
        grad = _with_weight_decay(grad, params, weight_decay)
        buf = state.momentum_buffer
        if _any(momentum != 0):
            buf = grad.copy() if state.count == 0 else buf * momentum + (1 - dampening) * grad
            direction = grad + momentum * buf if nesterov else buf
            grad = _where(momentum != 0, direction, grad)
        return -lr * grad, SgdState(state.count + 1, buf)

    def describe(state: SgdState) -> dict[str, Array]:
        return {"momentum_buffer": state.momentum_buffer} if _any(momentum != 0) else {}

    return _assemble("sgd", locals(), init, update, describe)


class AdamState(NamedTuple):
    count: int
    exp_avg: Array
    exp_avg_sq: Array
    max_exp_avg_sq: Array


def _adam(name, lr, betas, eps, weight_decay, amsgrad, decoupled: bool) -> Optimizer:
    beta1, beta2 = betas

    def init(params: Array) -> AdamState:
        zeros = np.zeros_like(params)
        return AdamState(0, zeros, zeros.copy(), zeros.copy())

    def update(grad: Array, state: AdamState, params: Array) -> tuple[Array, AdamState]:
        count = state.count + 1
        if not decoupled:
            grad = _with_weight_decay(grad, params, weight_decay)
        exp_avg = _lerp(state.exp_avg, grad, 1 - beta1)
        exp_avg_sq = state.exp_avg_sq * beta2 + (1 - beta2) * grad * grad
        bias_correction1 = 1 - _pow(beta1, count)
        bias_correction2_sqrt = _pow(1 - _pow(beta2, count), 0.5)
        step_size = lr / bias_correction1
        max_sq = state.max_exp_avg_sq
        if amsgrad:
            max_sq = np.maximum(max_sq, exp_avg_sq)
            denom = np.sqrt(max_sq) / bias_correction2_sqrt + eps
        else:
            denom = np.sqrt(exp_avg_sq) / bias_correction2_sqrt + eps
        step = -step_size * exp_avg / denom
        if decoupled:
            # AdamW shrinks θ by (1 − γλ) before the Adam step: θ·(1 − γλ) − θ is that change.
            step = step + (params * (1 - lr * weight_decay) - params)
        return step, AdamState(count, exp_avg, exp_avg_sq, max_sq)

    def describe(state: AdamState) -> dict[str, Array]:
        t = max(state.count, 1)
        described = {
            "exp_avg": state.exp_avg,
            "exp_avg_sq": state.exp_avg_sq,
            "m_hat": state.exp_avg / (1 - beta1**t),
            "v_hat": state.exp_avg_sq / (1 - beta2**t),
        }
        if amsgrad:
            described["max_exp_avg_sq"] = state.max_exp_avg_sq
        return described

    hyper = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
    return _assemble(name, hyper, init, update, describe)


def adam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False) -> Optimizer:
    """Adam, as ``torch.optim.Adam`` (L2 penalty added to the gradient).

    g_t = ∇f(θ_{t-1}) + λθ_{t-1};  m_0 = v_0 = 0
    m_t = β1 m_{t-1} + (1 − β1) g_t;  v_t = β2 v_{t-1} + (1 − β2) g_t²
    v̂_max = max(v̂_max, v_t) with amsgrad
    θ_t = θ_{t-1} − (γ / (1 − β1^t)) · m_t / (√v_t / √(1 − β2^t) + ε)
    (ε is added after the bias-corrected square root, as torch does.)
    """
    return _adam("adam", lr, tuple(betas), eps, weight_decay, amsgrad, decoupled=False)


def adamw(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False) -> Optimizer:
    """AdamW, as ``torch.optim.AdamW``: decoupled decay θ ← θ(1 − γλ), then the Adam step
    on the raw gradient (default λ = 0.01)."""
    return _adam("adamw", lr, tuple(betas), eps, weight_decay, amsgrad, decoupled=True)


class RmspropState(NamedTuple):
    count: int
    square_avg: Array
    grad_avg: Array
    momentum_buffer: Array


def rmsprop(
    lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False
) -> Optimizer:
    """RMSprop, as ``torch.optim.RMSprop``.

    g_t = ∇f + λθ;  v_t = α v_{t-1} + (1 − α) g_t²;  v_0 = 0
    centered: ḡ_t = α ḡ_{t-1} + (1 − α) g_t, and v_t − ḡ_t² replaces v_t under the root
    a_t = √v_t + ε  (ε outside the square root, unlike some textbooks)
    momentum μ > 0: b_t = μ b_{t-1} + g_t / a_t, θ ← θ − γ b_t  (b_0 = 0)
    otherwise θ ← θ − γ g_t / a_t
    """

    def init(params: Array) -> RmspropState:
        zeros = np.zeros_like(params)
        return RmspropState(0, zeros, zeros.copy(), zeros.copy())

    def update(grad: Array, state: RmspropState, params: Array) -> tuple[Array, RmspropState]:
        grad = _with_weight_decay(grad, params, weight_decay)
        square_avg = state.square_avg * alpha + (1 - alpha) * grad * grad
        grad_avg = state.grad_avg
        if centered:
            grad_avg = _lerp(grad_avg, grad, 1 - alpha)
            avg = np.sqrt(square_avg + (-1.0 * grad_avg) * grad_avg) + eps
        else:
            avg = np.sqrt(square_avg) + eps
        buf = state.momentum_buffer
        step = -lr * grad / avg
        if _any(momentum > 0):
            buf = buf * momentum + grad / avg
            step = _where(momentum > 0, -lr * buf, step)
        return step, RmspropState(state.count + 1, square_avg, grad_avg, buf)

    def describe(state: RmspropState) -> dict[str, Array]:
        described = {"square_avg": state.square_avg}
        if centered:
            described["grad_avg"] = state.grad_avg
        if _any(momentum > 0):
            described["momentum_buffer"] = state.momentum_buffer
        return described

    return _assemble("rmsprop", locals(), init, update, describe)


class AdagradState(NamedTuple):
    count: int
    sum: Array


def adagrad(
    lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10
) -> Optimizer:
    """Adagrad, as ``torch.optim.Adagrad``.

    s_0 = initial_accumulator_value (0 by default);  g_t = ∇f + λθ
    γ_t = γ / (1 + (t − 1) η)  (η = lr_decay);  s_t = s_{t-1} + g_t²
    θ_t = θ_{t-1} − γ_t g_t / (√s_t + ε)
    """

    def init(params: Array) -> AdagradState:
        return AdagradState(0, np.full_like(params, initial_accumulator_value))

    def update(grad: Array, state: AdagradState, params: Array) -> tuple[Array, AdagradState]:
        count = state.count + 1
        grad = _with_weight_decay(grad, params, weight_decay)
        clr = lr / (1 + (count - 1) * lr_decay)
        total = state.sum + grad * grad
        return -clr * grad / (np.sqrt(total) + eps), AdagradState(count, total)

    def describe(state: AdagradState) -> dict[str, Array]:
        return {"sum": state.sum}

    return _assemble("adagrad", locals(), init, update, describe)


def _assemble(name, scope, init, update, describe) -> Optimizer:
    spec = SPECS[name]
    hyper = {p.name: scope[p.name] for p in spec.params}
    return Optimizer(name, hyper, init, update, describe)


FACTORIES: dict[str, Callable[..., Optimizer]] = {
    "sgd": sgd,
    "adam": adam,
    "adamw": adamw,
    "rmsprop": rmsprop,
    "adagrad": adagrad,
}
OPTIMIZERS: dict[str, OptimizerSpec] = SPECS


def make_optimizer(name: str, **kwargs: Any) -> Optimizer:
    """Validate ``kwargs`` as torch does (plus upper bounds torch lacks) and build."""
    resolved = resolve(name, kwargs)  # first: it names the valid optimizers for a bad name
    return FACTORIES[name](**resolved)


def select_runs(state: Any, keep: Array) -> Any:
    """The state of the runs in ``keep`` (an index or mask over the batch axis)."""
    if isinstance(state, np.ndarray):
        return state[keep] if state.ndim else state
    if isinstance(state, dict):
        return {name: select_runs(value, keep) for name, value in state.items()}
    if isinstance(state, tuple):
        return type(state)(*(select_runs(value, keep) for value in state))
    return state
