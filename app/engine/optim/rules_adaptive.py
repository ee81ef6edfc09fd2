"""Adaptive step sizes without momentum: Adadelta, and Adafactor (torch 2.13's single-tensor
steps). Adafactor's step uses the norms of the whole parameter and update, so its rule is a
*vector* rule: it takes and returns the run's arrays."""

from __future__ import annotations

import numpy as np
from numba import njit

from app.engine.optim.ops import INLINE, add, addcmul, lerp, norm2, pow, py_max, py_min, sqrt
from app.engine.optim.registry import Rule, register


@njit(**INLINE)
def adadelta(t, param, grad, square_avg, acc_delta, lr, rho, eps, weight_decay, maximize):
    r"""``torch.optim.Adadelta``.

    .. math::
        v_t &= \rho v_{t-1} + (1 - \rho) g_t^2 \\
        \Delta_t &= \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t, \quad
            u_t = \rho u_{t-1} + (1 - \rho) \Delta_t^2 \\
        \theta_t &= \theta_{t-1} - \gamma \Delta_t
    """
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = add(grad, param, weight_decay)
    square_avg = addcmul(square_avg * rho, grad, grad, 1 - rho)
    std = sqrt(square_avg + eps)
    delta = sqrt(acc_delta + eps) / std * grad
    acc_delta = addcmul(acc_delta * rho, delta, delta, 1 - rho)
    return add(param, delta, -lr), square_avg, acc_delta


@njit(**INLINE)
def adafactor_schedule(t, lr, beta2_decay, eps1, eps2, d, weight_decay, maximize):
    """1 − β2,t = t^c and the relative step ρ_t = min(γ, 1/√t), in Python floats."""
    return pow(t, beta2_decay), py_min(lr, 1 / pow(t, 0.5))


@njit(**INLINE)
def adafactor(t, param, grad, variance, one_minus_beta2_t, rho_t,
              lr, beta2_decay, eps1, eps2, d, weight_decay, maximize):  # fmt: skip
    r"""``torch.optim.Adafactor`` on a vector (torch's unfactored path: one second moment per
    coordinate; the row/column factoring applies to matrices only).

    .. math::
        \alpha_t &= \max(\epsilon_2, \operatorname{RMS}(\theta_{t-1}))\,
            \min(\gamma, 1/\sqrt t), \quad \hat\beta_{2,t} = 1 - t^{c} \\
        v_t &= \hat\beta_{2,t} v_{t-1} + (1 - \hat\beta_{2,t}) g_t^2, \quad
            u_t = g_t / \sqrt{\max(v_t, \epsilon_1^2)} \\
        \theta_t &= \theta_{t-1} - \frac{\alpha_t}{\max(1, \operatorname{RMS}(u_t)/d)} u_t
    """
    n = param.shape[0]
    if maximize:
        grad = -grad
    root_n = pow(n, 0.5)
    alpha = py_max(eps2, norm2(param) / root_n) * rho_t
    if weight_decay != 0:
        param = param * (1 - lr * weight_decay)
    update = np.empty(n)
    for i in range(n):
        variance[i] = lerp(variance[i], grad[i] * grad[i], one_minus_beta2_t)
        floor = eps1 * eps1
        clamped = variance[i] if not variance[i] < floor else floor
        update[i] = 1.0 / sqrt(clamped) * grad[i]
    denom = py_max(1.0, norm2(update) / (root_n * d))
    step = -alpha / denom
    for i in range(n):
        param[i] = add(param[i], update[i], step)
    return param, variance


register(
    Rule("adadelta", adadelta, ("square_avg", "acc_delta"),
         shown=lambda h: ("square_avg", "acc_delta")),
    Rule("adafactor", adafactor, ("variance",), per_step=adafactor_schedule, vector=True,
         shown=lambda h: ("variance",)),
)  # fmt: skip
