"""SGD's relatives: ASGD and Rprop (torch 2.13's single-tensor steps)."""

from __future__ import annotations

from numba import njit

from app.engine.optim.ops import INLINE, add, addcmul, clamp, pow, sign
from app.engine.optim.registry import Rule, register


@njit(**INLINE)
def asgd_schedule(t, lr, lambd, alpha, t0, weight_decay, maximize):
    """The step size η and averaging weight μ update t uses: torch's state ``eta`` and ``mu``,
    which step t − 1 set (Python floats, torch's order) and which start as γ and 1."""
    if t == 1:
        return lr, 1.0
    step = t - 1
    eta = lr / pow(1 + lambd * lr * step, alpha)
    mu = 1 / (step - t0) if step - t0 > 1 else 1.0
    return eta, mu


@njit(**INLINE)
def asgd(t, param, grad, ax, eta, mu, lr, lambd, alpha, t0, weight_decay, maximize):
    r"""``torch.optim.ASGD``: SGD with a decaying step; ``ax`` is the running average of θ
    (from step t0 on; until then θ itself).

    .. math::
        \eta_t &= \frac{\gamma}{(1 + \lambda\gamma (t - 1))^\alpha}, \quad
            \mu_t = \frac{1}{\max(1, t - 1 - t_0)} \\
        \theta_t &= \theta_{t-1}(1 - \lambda\eta_t) - \eta_t g_t \\
        \bar\theta_t &= \bar\theta_{t-1} + \mu_t(\theta_t - \bar\theta_{t-1})
    """
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = add(grad, param, weight_decay)
    param = param * (1 - lambd * eta)
    param = add(param, grad, -eta)
    if mu != 1:
        ax = ax + (param - ax) * mu
    else:
        ax = param
    return param, ax


@njit(**INLINE)
def rprop(t, param, grad, prev, step_size, lr, etaminus, etaplus, step_size_min, step_size_max,
          maximize):  # fmt: skip
    r"""``torch.optim.Rprop``: only the sign of g is used; each coordinate's step grows by η+
    while that sign holds and shrinks by η− (skipping the step) when it flips.

    .. math::
        s_t &= \eta_+ \ (g_t g_{t-1} > 0), \quad \eta_- \ (g_t g_{t-1} < 0), \quad 1 \
            \text{(otherwise)} \\
        \Delta_t &= \operatorname{clamp}(s_t \Delta_{t-1}, \Delta_{\min}, \Delta_{\max}),
            \quad \Delta_0 = \gamma \\
        g_t &\leftarrow 0 \ \text{if } s_t = \eta_-, \quad
            \theta_t = \theta_{t-1} - \operatorname{sign}(g_t)\,\Delta_t
    """
    if maximize:
        grad = -grad
    product = sign(grad * prev)
    factor = etaplus if product > 0 else (etaminus if product < 0 else 1.0)
    step_size = clamp(step_size * factor, step_size_min, step_size_max)
    if factor == etaminus:
        grad = 0.0
    return addcmul(param, sign(grad), step_size, -1.0), grad, step_size


register(
    Rule("asgd", asgd, ("ax",), per_step=asgd_schedule, per_step_previous_lr=True,
         shown=lambda h: ("ax",)),
    Rule("rprop", rprop, ("prev", "step_size"), initial={"step_size": "lr"},
         shown=lambda h: ("prev", "step_size")),
)  # fmt: skip
