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

SCHEDULE_FREE = '''
class AdamWScheduleFree(torch.optim.Optimizer):
    """Schedule-free AdamW (Defazio et al. 2024), the step of the schedulefree package
    (1.4.1, single-tensor path). While training, p holds y, where the gradient is taken;
    .eval() puts x, the average, in p (.train() puts y back)."""

    def __init__(self, params, lr=0.0025, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 warmup_steps=0, r=0.0, weight_lr_power=2.0):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      warmup_steps=warmup_steps, r=r, k=0, train_mode=False,
                                      weight_sum=0.0, lr_max=-1.0,
                                      weight_lr_power=weight_lr_power))

    @torch.no_grad()
    def _switch(self, train):
        for group in self.param_groups:
            if group["train_mode"] != train:
                beta1 = group["betas"][0]
                for p in group["params"]:
                    if "z" in self.state[p]:
                        p.lerp_(self.state[p]["z"], 1 - beta1 if train else 1 - 1 / beta1)
                group["train_mode"] = train

    def train(self):
        self._switch(True)

    def eval(self):
        self._switch(False)

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            k, (beta1, beta2) = group["k"], group["betas"]
            sched = (k + 1) / group["warmup_steps"] if k < group["warmup_steps"] else 1.0
            bias_correction2 = 1 - beta2 ** (k + 1)
            lr = group["lr"] * sched
            lr_max = group["lr_max"] = max(lr, group["lr_max"])
            weight = ((k + 1) ** group["r"]) * (lr_max ** group["weight_lr_power"])
            weight_sum = group["weight_sum"] = group["weight_sum"] + weight
            ckp1 = weight / weight_sum if weight_sum != 0 else 0.0
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if "z" not in state:
                    state["z"], state["exp_avg_sq"] = p.clone(), torch.zeros_like(p)
                z, exp_avg_sq = state["z"], state["exp_avg_sq"]
                exp_avg_sq.mul_(beta2).addcmul_(p.grad, p.grad, value=1 - beta2)
                denom = exp_avg_sq.div(bias_correction2).sqrt_().add_(group["eps"])
                grad = p.grad.div(denom)
                if group["weight_decay"] != 0:
                    grad.add_(p, alpha=group["weight_decay"])
                p.lerp_(z, ckp1)
                p.add_(grad, alpha=lr * (beta1 * (1 - ckp1) - 1))
                z.sub_(grad, alpha=lr)
            group["k"] = k + 1
'''

SAM = '''
class SAM(torch.optim.Optimizer):
    """Sharpness-aware minimisation (Foret et al. 2021) around base_optimizer, stepping as
    the widely used reference implementation (github.com/davda54/sam) does: first_step
    climbs to w + e, the caller takes the gradient there, second_step returns to w and lets
    the base optimizer step with it."""

    def __init__(self, params, base_optimizer, rho=0.05, adaptive=False, **kwargs):
        if rho < 0.0:
            raise ValueError(f"Invalid rho, should be non-negative: {rho}")
        super().__init__(params, dict(rho=rho, adaptive=adaptive, **kwargs))
        self.base_optimizer = base_optimizer(self.param_groups, **kwargs)
        self.param_groups = self.base_optimizer.param_groups  # one lr for schedulers to set
        self.defaults.update(self.base_optimizer.defaults)

    @torch.no_grad()
    def first_step(self, zero_grad=False):
        scaled = [((p.abs() if group["adaptive"] else 1.0) * p.grad).norm(p=2)
                  for group in self.param_groups for p in group["params"] if p.grad is not None]
        norm = torch.stack(scaled).norm(p=2)
        for group in self.param_groups:
            scale = group["rho"] / (norm + 1e-12)
            for p in group["params"]:
                if p.grad is not None:
                    self.state[p]["w"] = p.clone()
                    p.add_((p.pow(2) if group["adaptive"] else 1.0) * p.grad * scale)
        if zero_grad:
            self.zero_grad()

    @torch.no_grad()
    def second_step(self, zero_grad=False):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    p.copy_(self.state[p]["w"])
        self.base_optimizer.step()
        if zero_grad:
            self.zero_grad()
'''

INLINE_CLASSES = {"lion_pytorch.Lion": LION, "schedulefree.AdamWScheduleFree": SCHEDULE_FREE,
                  "sam.SAM": SAM}
# what a script does once the optimizer exists, before the loop
SETUP = {"schedulefree.AdamWScheduleFree": "optimizer.train()  # p holds y, where the "
                                            "gradient is taken; optimizer.eval() puts x in p"}


def class_name(torch_class: str) -> str:
    """What the script calls: ``torch.optim.Adam`` as is, an inlined class by its own name."""
    return torch_class.rsplit(".", 1)[1] if torch_class in INLINE_CLASSES else torch_class
