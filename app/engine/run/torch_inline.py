"""Optimizer classes a generated script defines itself, because torch has none.

Each is the reference package's step, written as a small ``torch.optim.Optimizer`` so the
script needs nothing but torch; keyed by the spec's ``torch_class`` (the package's name).
"""

from __future__ import annotations

LION = '''
class Lion(torch.optim.Optimizer):
    """Lion (Chen et al. 2023), the step of the lion-pytorch package (0.2.5)."""

    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            lr, wd, (beta1, beta2) = group["lr"], group["weight_decay"], group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["exp_avg"] = torch.zeros_like(p)
                exp_avg = state["exp_avg"]
                p.mul_(1.0 - lr * wd)
                update = exp_avg.clone().mul_(beta1).add(p.grad, alpha=1.0 - beta1).sgn_()
                p.add_(update, alpha=-lr)
                exp_avg.mul_(beta2).add_(p.grad, alpha=1.0 - beta2)
'''

INLINE_CLASSES = {"lion_pytorch.Lion": LION}


def class_name(torch_class: str) -> str:
    """What the script calls: ``torch.optim.Adam`` as is, an inlined class by its own name."""
    return torch_class.rsplit(".", 1)[1] if torch_class in INLINE_CLASSES else torch_class
