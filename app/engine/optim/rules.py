"""One update rule per optimizer: torch 2.13's single-tensor step for one coordinate.

Each rule is a numba scalar function in the optax style, state named as torch names it::

    update(t, param, grad, *state, *per_step, *hyper) -> (new_param, *state)

``t`` is the number of this update (1, 2, …), ``state`` the rule's named slots
(``exp_avg``, ``momentum_buffer``, …), ``per_step`` what ``per_step(t, *hyper)`` computes once
per run and step (Adam's bias corrections: ``pow`` is the costliest part of a step), and
``hyper`` the optimizer's hyper-parameters by name (``betas`` arrives as ``beta1, beta2``,
flags as 0.0/1.0). Every driver (one run, a race, batches with per-run settings, basins,
sweeps) is generated from these functions by ``run/codegen.py``; nothing else in the
engine knows an optimizer's arithmetic. Operations follow torch's, rounded as torch rounds
them (``ops.py``), so fed the same gradient a run gives torch's bits (sqrt aside).

A *vector* rule (``Rule(vector=True)``: Adafactor, whose step uses norms of the whole
parameter) takes and returns the run's arrays instead of one coordinate's numbers.

The rules live by family: this file (SGD, Adam/AdamW, RMSprop, Adagrad), ``rules_adam.py``
(Adamax, NAdam, RAdam), ``rules_sgd.py`` (ASGD, Rprop), ``rules_adaptive.py`` (Adadelta,
Adafactor) and ``rules_beyond.py`` (Lion, beyond torch.optim); importing this module
registers them all. ``maximize`` negates the gradient first, as torch does.
"""

from __future__ import annotations

from numba import njit

from app.engine.optim.ops import (
    INLINE,
    adam_decay,
    adam_moments,
    add,
    addcdiv,
    addcmul,
    fma,
    lerp,
    maximum,
    pow,
    sqrt,
)  # fmt: skip
from app.engine.optim.registry import Rule, register


@njit(**INLINE)
def sgd(t, param, grad, momentum_buffer, lr, momentum, dampening, weight_decay, nesterov,
        maximize):  # fmt: skip
    r"""``torch.optim.SGD``.

    .. math::
        g_t &= \nabla f(\theta_{t-1}) + \lambda\theta_{t-1} \\
        b_1 &= g_1, \quad b_t = \mu b_{t-1} + (1 - \tau) g_t \\
        d_t &= g_t + \mu b_t \ \text{(nesterov)}, \quad b_t \ (\mu \ne 0), \quad g_t \\
        \theta_t &= \theta_{t-1} - \gamma d_t \quad (\text{maximize: } +\gamma d_t)
    """
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = add(grad, param, weight_decay)
    if momentum != 0:
        if t == 1:
            momentum_buffer = grad
        else:
            momentum_buffer = add(momentum_buffer * momentum, grad, 1 - dampening)
        grad = add(grad, momentum_buffer, momentum) if nesterov else momentum_buffer
    return add(param, grad, -lr), momentum_buffer


@njit(**INLINE)
def adam_bias_corrections(t, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, decoupled):
    """Adam's step size γ / (1 − β1ᵗ) and √(1 − β2ᵗ), as torch computes them in Python."""
    bias_correction1 = 1 - pow(beta1, t)
    bias_correction2 = 1 - pow(beta2, t)
    return lr / bias_correction1, pow(bias_correction2, 0.5)


@njit(**INLINE)
def adam(t, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step_size, bias_correction2_sqrt,
         lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, decoupled):  # fmt: skip
    r"""``torch.optim.Adam``; with ``decoupled`` (``torch.optim.AdamW``) θ shrinks by
    (1 − γλ) instead of λθ joining the gradient.

    .. math::
        g_t &= \nabla f(\theta_{t-1}) + \lambda\theta_{t-1}
            \quad (\text{AdamW: } \theta_{t-1} \leftarrow \theta_{t-1}(1 - \gamma\lambda)) \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t, \quad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        \hat v_t &= \max(\hat v_{t-1}, v_t) \ \text{(amsgrad, else } v_t) \\
        \theta_t &= \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t}\,
            \frac{m_t}{\sqrt{\hat v_t}/\sqrt{1 - \beta_2^t} + \epsilon}
    """
    param, grad = adam_decay(param, grad, lr, weight_decay, decoupled, maximize)
    exp_avg, exp_avg_sq = adam_moments(exp_avg, exp_avg_sq, grad, beta1, beta2)
    if amsgrad:
        max_exp_avg_sq = maximum(max_exp_avg_sq, exp_avg_sq)
        denom = sqrt(max_exp_avg_sq) / bias_correction2_sqrt + eps
    else:
        denom = sqrt(exp_avg_sq) / bias_correction2_sqrt + eps
    return addcdiv(param, exp_avg, denom, -step_size), exp_avg, exp_avg_sq, max_exp_avg_sq


@njit(**INLINE)
def rmsprop(t, param, grad, square_avg, grad_avg, momentum_buffer,
            lr, alpha, eps, weight_decay, momentum, centered, maximize):  # fmt: skip
    r"""``torch.optim.RMSprop``.

    .. math::
        g_t &= \nabla f(\theta_{t-1}) + \lambda\theta_{t-1} \\
        v_t &= \alpha v_{t-1} + (1 - \alpha) g_t^2 \\
        \bar g_t &= \alpha \bar g_{t-1} + (1 - \alpha) g_t \\
        a_t &= \sqrt{v_t - \bar g_t^2} + \epsilon \ \text{(centered)}, \quad
            a_t = \sqrt{v_t} + \epsilon \ \text{(otherwise)} \\
        b_t &= \mu b_{t-1} + g_t / a_t, \quad \theta_t = \theta_{t-1} - \gamma b_t
            \quad (\mu > 0; \text{ else } \theta_t = \theta_{t-1} - \gamma g_t / a_t)
    """
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = add(grad, param, weight_decay)
    square_avg = addcmul(square_avg * alpha, grad, grad, 1 - alpha)
    if centered:
        grad_avg = lerp(grad_avg, grad, 1 - alpha)
        avg = sqrt(addcmul(square_avg, grad_avg, grad_avg, -1.0)) + eps
    else:
        avg = sqrt(square_avg) + eps
    if momentum > 0:
        momentum_buffer = addcdiv(momentum_buffer * momentum, grad, avg, 1.0)
        return add(param, momentum_buffer, -lr), square_avg, grad_avg, momentum_buffer
    return addcdiv(param, grad, avg, -lr), square_avg, grad_avg, momentum_buffer


@njit(**INLINE)
def adagrad(t, param, grad, sum, lr, lr_decay, weight_decay, initial_accumulator_value, eps,  # noqa: A002
            maximize):  # fmt: skip
    r"""``torch.optim.Adagrad``.

    .. math::
        g_t &= \nabla f(\theta_{t-1}) + \lambda\theta_{t-1}, \quad
            \tilde\gamma_t = \frac{\gamma}{1 + (t - 1)\eta} \\
        s_t &= s_{t-1} + g_t^2 \quad (s_0 = \text{initial\_accumulator\_value}) \\
        \theta_t &= \theta_{t-1} - \tilde\gamma_t \frac{g_t}{\sqrt{s_t} + \epsilon}
    """
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = add(grad, param, weight_decay)
    clr = lr / (1 + (t - 1) * lr_decay)
    sum = fma(grad, grad, sum)  # noqa: A001 (addcmul with value 1)
    return addcdiv(param, grad, sqrt(sum) + eps, -clr), sum


def _adam_derived(history: dict, t, hyper: dict) -> dict:
    """The inspector's bias-corrected moments m̂ = m / (1 − β1ᵗ), v̂ = v / (1 − β2ᵗ)."""
    beta1, beta2 = hyper["betas"]
    return {
        "m_hat": history["exp_avg"] / (1 - beta1**t),
        "v_hat": history["exp_avg_sq"] / (1 - beta2**t),
    }


register(
    Rule("sgd", sgd, ("momentum_buffer",),
         shown=lambda h: ("momentum_buffer",) if h["momentum"] != 0 else ()),
    Rule("adam", adam, ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"),
         per_step=adam_bias_corrections, constants={"decoupled": 0.0},
         shown=lambda h: ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if h["amsgrad"] else ()),
         derived=_adam_derived),
    Rule("adamw", adam, ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"),
         per_step=adam_bias_corrections, constants={"decoupled": 1.0},
         shown=lambda h: ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if h["amsgrad"] else ()),
         derived=_adam_derived),
    Rule("rmsprop", rmsprop, ("square_avg", "grad_avg", "momentum_buffer"),
         shown=lambda h: ("square_avg",) + (("grad_avg",) if h["centered"] else ())
         + (("momentum_buffer",) if h["momentum"] > 0 else ())),
    Rule("adagrad", adagrad, ("sum",), initial={"sum": "initial_accumulator_value"},
         shown=lambda h: ("sum",)),
)  # fmt: skip

from app.engine.optim import (  # noqa: E402, F401 (register)
    rules_adam,
    rules_adaptive,
    rules_beyond,
    rules_sgd,
)
