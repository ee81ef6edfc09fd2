"""Optimizers beyond torch.optim, each checked against its reference package's arithmetic.

``lion``: Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", as the
``lion-pytorch`` package (0.2.5) steps it, operation by operation (``ops.py`` rounding).

``adamwschedulefree``: Defazio et al. 2024, "The Road Less Scheduled", as the ``schedulefree``
package's ``AdamWScheduleFree`` (1.4.1) steps it in train mode. The parameter torch holds
while training is y, the interpolation the gradient is taken at: the trajectory's points
are y (the loss, the gradient and the stop rules are y's, as in the package's training loop),
and the inspector shows z and x, the point the package's ``.eval()`` puts in the parameter
(``y.lerp(z, 1 − 1/β1)``, the same operation, so x is ``.eval()``'s to the bit).
"""

from __future__ import annotations

from numba import njit

from app.engine.optim.ops import INLINE, add, addcmul, lerp, pow, py_max, sign, sqrt
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


@njit(**INLINE)
def schedule_free_step(t, lr, beta1, beta2, eps, weight_decay, warmup_steps, r, weight_lr_power):
    """The warm-up factor and 1 − β2ᵗ, in Python floats as the package computes them (its
    ``k`` is t − 1)."""
    sched = t / warmup_steps if t - 1 < warmup_steps else 1.0
    return sched, 1 - pow(beta2, t)


@njit(**INLINE)
def adamwschedulefree(t, param, grad, z, exp_avg_sq, lr_max, weight_sum, x, sched,
                      bias_correction2, lr, beta1, beta2, eps, weight_decay, warmup_steps, r,
                      weight_lr_power):  # fmt: skip
    r"""``schedulefree.AdamWScheduleFree``: the gradient is taken at y, an interpolation of
    the running average x and the base sequence z; no schedule needed (warm-up aside).

    .. math::
        \gamma_t &= \gamma \min(1, t / T_w), \quad w_t = t^r \max_{i \le t}(\gamma_i)^{p},
            \quad c_t = w_t / \textstyle\sum_{i \le t} w_i \\
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2) g_t^2, \quad
            d_t = \frac{g_t}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon} + \lambda y_{t-1} \\
        y_t &= (1 - c_t) y_{t-1} + c_t z_{t-1} + \gamma_t(\beta_1(1 - c_t) - 1) d_t \\
        z_t &= z_{t-1} - \gamma_t d_t, \quad
            x_t = y_t + (1 - 1/\beta_1)(z_t - y_t)
    """
    if t == 1:  # the package's state starts at the first step: z = clone(p)
        z = param
    lr = lr * sched
    lr_max = py_max(lr, lr_max)
    weight = pow(t, r) * pow(lr_max, weight_lr_power)
    weight_sum = weight_sum + weight
    ckp1 = weight / weight_sum if weight_sum != 0 else 0.0  # Python's ZeroDivisionError: 0
    exp_avg_sq = addcmul(exp_avg_sq * beta2, grad, grad, 1 - beta2)
    grad = grad / (sqrt(exp_avg_sq / bias_correction2) + eps)
    if weight_decay != 0:
        grad = add(grad, param, weight_decay)
    param = lerp(param, z, ckp1)
    param = add(param, grad, lr * (beta1 * (1 - ckp1) - 1))
    z = add(z, grad, -lr)
    # what .eval() puts in the parameter; not state the step reads
    x = lerp(param, z, 1 - 1 / beta1)
    return param, z, exp_avg_sq, lr_max, weight_sum, x


register(
    Rule("lion", lion, ("exp_avg",), shown=lambda h: ("exp_avg",)),
    Rule("adamwschedulefree", adamwschedulefree,
         ("z", "exp_avg_sq", "lr_max", "weight_sum", "x"), per_step=schedule_free_step,
         initial={"z": "param", "lr_max": -1.0, "x": "param"},
         shown=lambda h: ("x", "z", "exp_avg_sq")),
)  # fmt: skip
