"""Adam's family beyond Adam/AdamW: Adamax, NAdam and RAdam (torch 2.13's single-tensor steps).

Python-float arithmetic torch does once per step (bias corrections, NAdam's μ schedule,
RAdam's rectification) is in each rule's ``per_step``, in torch's order; tensor arithmetic is
in the update, rounded as torch rounds it (``ops.py``).
"""

from __future__ import annotations

from numba import njit

from app.engine.optim.ops import (
    INLINE,
    adam_decay,
    adam_moments,
    add,
    addcdiv,
    lerp,
    maximum,
    pow,
    sqrt,
)  # fmt: skip
from app.engine.optim.registry import Rule, register


@njit(**INLINE)
def adamax_step_size(t, lr, beta1, beta2, eps, weight_decay, maximize):
    """γ / (1 − β1ᵗ), in Python floats as torch computes ``clr``."""
    return (lr / (1 - pow(beta1, t)),)


@njit(**INLINE)
def adamax(t, param, grad, exp_avg, exp_inf, clr, lr, beta1, beta2, eps, weight_decay, maximize):
    r"""``torch.optim.Adamax``.

    .. math::
        g_t &= \pm\nabla f(\theta_{t-1}) + \lambda\theta_{t-1} \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
        u_t &= \max(\beta_2 u_{t-1}, |g_t| + \epsilon) \\
        \theta_t &= \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t}\,\frac{m_t}{u_t}
    """
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = add(grad, param, weight_decay)
    exp_avg = lerp(exp_avg, grad, 1 - beta1)
    exp_inf = maximum(exp_inf * beta2, abs(grad) + eps)
    return addcdiv(param, exp_avg, exp_inf, -clr), exp_avg, exp_inf


@njit(**INLINE)
def nadam_schedule(t, lr, beta1, beta2, eps, weight_decay, momentum_decay,
                   decoupled_weight_decay, maximize):  # fmt: skip
    """1 − β2ᵗ, μ_t and μ_{t+1}, as torch computes them in Python floats."""
    bias_correction2 = 1 - pow(beta2, t)
    mu = beta1 * (1.0 - 0.5 * pow(0.96, t * momentum_decay))
    mu_next = beta1 * (1.0 - 0.5 * pow(0.96, (t + 1) * momentum_decay))
    return bias_correction2, mu, mu_next


@njit(**INLINE)
def nadam(t, param, grad, exp_avg, exp_avg_sq, mu_product, bias_correction2, mu, mu_next,
          lr, beta1, beta2, eps, weight_decay, momentum_decay, decoupled_weight_decay,
          maximize):  # fmt: skip
    r"""``torch.optim.NAdam``; ``mu_product`` is the product of the μ so far (a scalar in
    torch, the same number in every coordinate here).

    .. math::
        \mu_t &= \beta_1 \left(1 - \tfrac12\, 0.96^{t\psi}\right), \quad
            \Pi_t = \textstyle\prod_{i \le t} \mu_i \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t, \quad
            v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        d_t &= \sqrt{v_t / (1 - \beta_2^t)} + \epsilon \\
        \theta_t &= \theta_{t-1} - \gamma \frac{1 - \mu_t}{1 - \Pi_t} \frac{g_t}{d_t}
            - \gamma \frac{\mu_{t+1}}{1 - \Pi_t \mu_{t+1}} \frac{m_t}{d_t}
    """
    param, grad = adam_decay(param, grad, lr, weight_decay, decoupled_weight_decay, maximize)
    mu_product = mu_product * mu
    exp_avg, exp_avg_sq = adam_moments(exp_avg, exp_avg_sq, grad, beta1, beta2)
    denom = sqrt(exp_avg_sq / bias_correction2) + eps
    mu_product_next = mu_product * mu_next
    param = addcdiv(param, grad, denom, -lr * (1.0 - mu) / (1.0 - mu_product))
    param = addcdiv(param, exp_avg, denom, (-lr * mu_next) / (1.0 - mu_product_next))
    return param, exp_avg, exp_avg_sq, mu_product


@njit(**INLINE)
def radam_rectification(t, lr, beta1, beta2, eps, weight_decay, decoupled_weight_decay,
                        maximize):  # fmt: skip
    """1 − β1ᵗ, √(1 − β2ᵗ), the rectification r_t and whether ρ_t > 5, in torch's order."""
    bias_correction1 = 1 - pow(beta1, t)
    bias_correction2 = 1 - pow(beta2, t)
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * t * pow(beta2, t) / bias_correction2
    rectify = 1.0 if rho_t > 5.0 else 0.0
    rect = 0.0
    if rectify:
        rect = pow(
            (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t), 0.5
        )
    return bias_correction1, pow(bias_correction2, 0.5), rect, rectify


@njit(**INLINE)
def radam(t, param, grad, exp_avg, exp_avg_sq, bias_correction1, bias_correction2_sqrt, rect,
          rectify, lr, beta1, beta2, eps, weight_decay, decoupled_weight_decay,
          maximize):  # fmt: skip
    r"""``torch.optim.RAdam``: plain momentum SGD until the variance of v is tractable
    (ρ_t > 5), then Adam's step times the rectification r_t.

    .. math::
        \rho_\infty &= \frac{2}{1 - \beta_2} - 1, \quad
            \rho_t = \rho_\infty - \frac{2 t \beta_2^t}{1 - \beta_2^t} \\
        \hat m_t &= \frac{m_t}{1 - \beta_1^t}, \quad
            r_t = \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\rho_\infty}
                              {(\rho_\infty - 4)(\rho_\infty - 2)\rho_t}} \\
        \theta_t &= \theta_{t-1} - \gamma \hat m_t\, r_t
            \frac{\sqrt{1 - \beta_2^t}}{\sqrt{v_t} + \epsilon} \ (\rho_t > 5), \quad
            \theta_{t-1} - \gamma \hat m_t \ \text{(otherwise)}
    """
    param, grad = adam_decay(param, grad, lr, weight_decay, decoupled_weight_decay, maximize)
    exp_avg, exp_avg_sq = adam_moments(exp_avg, exp_avg_sq, grad, beta1, beta2)
    bias_corrected_exp_avg = exp_avg / bias_correction1
    if rectify:
        # float / tensor is torch's __rtruediv__: reciprocal, then a product.
        adaptive_lr = (1.0 / (sqrt(exp_avg_sq) + eps)) * bias_correction2_sqrt
        param = add(param, bias_corrected_exp_avg * lr * adaptive_lr * rect, -1.0)
    else:
        param = add(param, bias_corrected_exp_avg * lr, -1.0)
    return param, exp_avg, exp_avg_sq


_MOMENTS = ("exp_avg", "exp_avg_sq")

register(
    Rule("adamax", adamax, ("exp_avg", "exp_inf"), per_step=adamax_step_size,
         shown=lambda h: ("exp_avg", "exp_inf")),
    Rule("nadam", nadam, ("exp_avg", "exp_avg_sq", "mu_product"), per_step=nadam_schedule,
         initial={"mu_product": 1.0}, shown=lambda h: _MOMENTS),
    Rule("radam", radam, _MOMENTS, per_step=radam_rectification, shown=lambda h: _MOMENTS),
)  # fmt: skip
