"""What each symbol of an update rule's equations stands for, so a page can show the rule
with the run's own numbers at a step (Distill-style).

Per optimizer: LaTeX symbol, exactly as its rule's docstring writes it (``Rule.equations``),
to where its value comes from: a parameter (``"lr"``, or ``"betas.0"`` for a pair's first
value), a state slot (``"state:exp_avg"``), the step's gradient (``"grad"``: g_t, taken at
θ_{t-1}), the point it was taken at (``"point"``: θ_{t-1}) or the step number (``"t"``).
``tests/engine/test_symbols.py`` checks every symbol occurs in its equations and every
source exists, so a rewritten docstring cannot leave this table behind.
"""

from __future__ import annotations

_ADAM = {
    r"\gamma": "lr", r"\beta_1": "betas.0", r"\beta_2": "betas.1", r"\epsilon": "eps",
    r"\lambda": "weight_decay", "g_t": "grad", "m_t": "state:exp_avg",
    "v_t": "state:exp_avg_sq", r"\theta_{t-1}": "point", "t": "t",
}  # fmt: skip

SYMBOLS: dict[str, dict[str, str]] = {
    "sgd": {
        r"\gamma": "lr", r"\mu": "momentum", r"\tau": "dampening", r"\lambda": "weight_decay",
        "g_t": "grad", "b_t": "state:momentum_buffer", r"\theta_{t-1}": "point",
    },
    "adam": _ADAM,
    "adamw": _ADAM,
    "rmsprop": {
        r"\gamma": "lr", r"\alpha": "alpha", r"\epsilon": "eps", r"\lambda": "weight_decay",
        r"\mu": "momentum", "g_t": "grad", "v_t": "state:square_avg",
        r"\bar g_t": "state:grad_avg", "b_t": "state:momentum_buffer", r"\theta_{t-1}": "point",
    },
    "adagrad": {
        r"\gamma": "lr", r"\eta": "lr_decay", r"\lambda": "weight_decay", r"\epsilon": "eps",
        "g_t": "grad", "s_t": "state:sum", r"\theta_{t-1}": "point", "t": "t",
    },
    "adamax": {
        r"\gamma": "lr", r"\beta_1": "betas.0", r"\beta_2": "betas.1", r"\epsilon": "eps",
        r"\lambda": "weight_decay", "g_t": "grad", "m_t": "state:exp_avg",
        "u_t": "state:exp_inf", r"\theta_{t-1}": "point", "t": "t",
    },
    "nadam": {
        r"\gamma": "lr", r"\beta_1": "betas.0", r"\beta_2": "betas.1", r"\epsilon": "eps",
        r"\psi": "momentum_decay", "g_t": "grad", "m_t": "state:exp_avg",
        "v_t": "state:exp_avg_sq", r"\Pi_t": "state:mu_product", r"\theta_{t-1}": "point",
        "t": "t",
    },
    "radam": {
        r"\gamma": "lr", r"\beta_1": "betas.0", r"\beta_2": "betas.1", r"\epsilon": "eps",
        "m_t": "state:exp_avg", "v_t": "state:exp_avg_sq", r"\theta_{t-1}": "point", "t": "t",
    },
    "adadelta": {
        r"\gamma": "lr", r"\rho": "rho", r"\epsilon": "eps", "g_t": "grad",
        "v_t": "state:square_avg", "u_t": "state:acc_delta", r"\theta_{t-1}": "point",
    },
    "asgd": {
        r"\gamma": "lr", r"\lambda": "lambd", r"\alpha": "alpha", "t_0": "t0", "g_t": "grad",
        r"\bar\theta_t": "state:ax", r"\theta_{t-1}": "point", "t": "t",
    },
    "rprop": {
        r"\gamma": "lr", r"\eta_-": "etas.0", r"\eta_+": "etas.1",
        r"\Delta_{\min}": "step_sizes.0", r"\Delta_{\max}": "step_sizes.1", "g_t": "grad",
        "g_{t-1}": "state:prev", r"\Delta_t": "state:step_size", r"\theta_{t-1}": "point",
    },
    "adafactor": {
        r"\gamma": "lr", "c": "beta2_decay", r"\epsilon_1": "eps.0", r"\epsilon_2": "eps.1",
        "d": "d", "v_t": "state:variance", "g_t": "grad", r"\theta_{t-1}": "point", "t": "t",
    },
    "lion": {
        r"\gamma": "lr", r"\beta_1": "betas.0", r"\beta_2": "betas.1",
        r"\lambda": "weight_decay", "g_t": "grad", "m_t": "state:exp_avg",
        r"\theta_{t-1}": "point",
    },
    "adamwschedulefree": {
        r"\gamma": "lr", r"\beta_1": "betas.0", r"\beta_2": "betas.1", r"\epsilon": "eps",
        r"\lambda": "weight_decay", "T_w": "warmup_steps", "r": "r", "p": "weight_lr_power",
        "g_t": "grad", "v_t": "state:exp_avg_sq", "z_t": "state:z", "x_t": "state:x",
        "y_{t-1}": "point", "t": "t",
    },
    # SAM's lines name its own ρ and its base's lr; the base's rule is the base's table
    "sam": {r"\rho": "rho", r"\gamma": "lr", "g_t": "grad", r"\theta_{t-1}": "point"},
    # L-BFGS is not a scalar rule: its box names the point, the gradient and the lr only.
    "lbfgs": {r"\theta": "point", "g": "grad", r"\text{lr}": "lr"},
}  # fmt: skip
