"""A generated script's stochastic gradient: mini-batches and gradient noise, drawn from the
engine's own random streams so the script's run is the API's.

The engine (``drivers.run_arrays``) evaluates the exact loss and gradient at every point
(the stop rule and the recorded losses use them), then, for the update only, replaces the
gradient by the mean over the step's mini-batch and adds σ·N(0, 1) per coordinate. The
mini-batches are ``MinibatchSchedule``'s: each epoch a permutation from numpy's PCG64
seeded by ``SeedSequence(seed).spawn(1)[0]`` (or the samples in order without shuffle),
cut in ``batch_size`` pieces, the last smaller. The noise is ``default_rng(seed)``'s
``standard_normal``, one draw of the parameter count per step. numpy comes with torch, so
the script draws the same numbers itself rather than carrying them as a list.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.engine.data.sampling import MinibatchSchedule


@dataclass(frozen=True)
class Sampling:
    noise: float = 0.0
    seed: int = 0
    batches: MinibatchSchedule | None = None

    @property
    def numpy(self) -> bool:
        return self.noise > 0 or (self.batches is not None and self.batches.shuffle)

    def setup(self) -> str:
        lines = []
        if self.batches is not None:
            b = self.batches
            lines += [
                f"# mini-batches of {b.batch_size} of the {b.n_samples} samples, "
                + ("a fresh order each epoch\n# (Descent's sampler: a PCG64 spawned from the "
                   "seed)" if b.shuffle else "in order, epoch after epoch"),
                f"batch_size, per_epoch = {b.batch_size}, {b.batches_per_epoch}",
                *([f"sampler = np.random.default_rng(np.random.SeedSequence({b.seed}).spawn(1)[0])"]
                  if b.shuffle else []),
            ]  # fmt: skip
        if self.noise > 0:
            lines += [f"noise = np.random.default_rng({self.seed})  # σ·N(0, 1) added to the "
                      "gradient each update", f"sigma = {self.noise!r}"]  # fmt: skip
        return "".join(line + "\n" for line in lines)

    def step(self, call: str) -> str:
        """Lines between the recorded point and ``optimizer.step()``: the gradient it uses."""
        lines = []
        if self.batches is not None:
            order = (f"sampler.permutation({self.batches.n_samples})" if self.batches.shuffle
                     else f"torch.arange({self.batches.n_samples})")  # fmt: skip
            lines += [
                "    at = step % per_epoch",
                "    if at == 0:  # a new epoch",
                f"        order = {order}",
                "    batch = torch.as_tensor(order[at * batch_size:(at + 1) * batch_size])",
                "    optimizer.zero_grad()  # the update's gradient: the mini-batch's mean loss",
                f"    {call}, x_data[batch], y_data[batch]).backward()",
            ]  # fmt: skip
        if self.noise > 0:
            lines.append("    p.grad += sigma * torch.from_numpy(noise.standard_normal(p.numel()))")
        return "".join(line + "\n" for line in lines)
