"""Optimizers beyond torch.optim, each checked against its reference package's arithmetic.

``lion``: Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", as the
``lion-pytorch`` package (0.2.5) steps it, operation by operation (``ops.py`` rounding).
"""

from __future__ import annotations

from numba import njit

from app.engine.optim.ops import INLINE, add, sign
from app.engine.optim.registry import Rule, register


@njit(**INLINE)
def lion(t, param, grad, exp_avg, lr, beta1, beta2, weight_decay):
    r"""``lion_pytorch.Lion``: the step is the sign of an interpolation of the momentum and
    the gradient, so every coordinate moves by exactly γ (or 0); m decays at its own rate β2.

    .. math::
        \theta_t &= \theta_{t-1}(1 - \gamma\lambda) \\
        c_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
        \theta_t &\leftarrow \theta_t - \gamma \operatorname{sign}(c_t) \\
        m_t &= \beta_2 m_{t-1} + (1 - \beta_2) g_t
    """
    # lion-pytorch multiplies by (1 − γλ) unconditionally: with λ = 0 that is × 1.0, exact.
    param = param * (1.0 - lr * weight_decay)
    update = sign(add(exp_avg * beta1, grad, 1.0 - beta1))
    param = add(param, update, -lr)
    exp_avg = add(exp_avg * beta2, grad, 1.0 - beta2)
    return param, exp_avg


register(Rule("lion", lion, ("exp_avg",), shown=lambda h: ("exp_avg",)))
