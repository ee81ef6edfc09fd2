"""A run as a short PyTorch script: the same loss, optimizer, scheduler and loop, printing the
trajectory as JSON (``POST /api/v1/code``).

Nothing is retyped: a catalog (or 1-D lesson) function's loss is its own formula (its
source, ``np`` read as ``torch``), a typed formula is printed from its parse tree, a fit to
data is written with its data, a network by ``torch_network``; the optimizer's and
scheduler's kwargs are the resolved ones (those away from torch's defaults, and ``lr``).
The loop is the engine's (``advance.py``: stop at a non-finite point, at ``||∇f|| <= tol``,
or after ``steps`` updates), with a closure for L-BFGS and the stochastic gradient of
``torch_sampling``. torch differentiates by autograd where the engine uses hand-written
gradients, so the two agree to rounding (the test states the tolerance).
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import types
from typing import Any

from app.engine.functions import LossFunction
from app.engine.optim import Optimizer, get_spec
from app.engine.optim.schedule_specs import REQUIRED
from app.engine.optim.schedules import Schedule
from app.engine.run import torch_network
from app.engine.run.torch_formula import NotExportable
from app.engine.run.torch_inline import INLINE_CLASSES, SETUP, class_name
from app.engine.run.torch_sampling import Sampling

DATA_PARAMS = {"line-through-origin": ("w",), "linear": ("m", "b"), "logistic": ("w", "b")}


def _torch_source(node: ast.AST) -> str:
    """numpy names as torch's: np.sqrt → torch.sqrt; np.pi, np.e and PI → math's."""

    class Rewrite(ast.NodeTransformer):
        def visit_Attribute(self, node):  # noqa: N802 (ast's name)
            self.generic_visit(node)
            if isinstance(node.value, ast.Name) and node.value.id == "np":
                module = "math" if node.attr in ("pi", "e") else "torch"
                return ast.Attribute(ast.Name(module, ast.Load()), node.attr, ast.Load())
            return node

        def visit_Name(self, node):  # noqa: N802
            return ast.parse("math.pi", mode="eval").body if node.id == "PI" else node

    return ast.unparse(Rewrite().visit(node))


def _lambda_body(fn: types.FunctionType) -> ast.AST:
    """The body of a catalog lambda: the first lambda on its line that returns no tuple."""
    lines, start = inspect.getsourcelines(fn)
    tree = ast.parse(textwrap.dedent("".join(lines)).strip().rstrip(",") or "None", mode="exec")
    arity = fn.__code__.co_argcount
    for node in ast.walk(tree):
        if (isinstance(node, ast.Lambda) and node.lineno + start - 1 == fn.__code__.co_firstlineno
                and len(node.args.args) == arity and not isinstance(node.body, ast.Tuple)):
            return node.body
    raise NotExportable("function", f"no source for {fn.__name__}")


def catalog_loss(f: LossFunction) -> str:
    scalar = f.extra.get("scalar")
    if scalar is None:
        raise NotExportable("function", f"{f.id} has no formula to export")
    fn = scalar[0]
    args = ", ".join(fn.__code__.co_varnames[: fn.__code__.co_argcount])
    if fn.__name__ == "<lambda>":
        return f"def f({args}):\n    return {_torch_source(_lambda_body(fn))}\n"
    parts = []
    for name in fn.__code__.co_names:  # helpers the formula calls (_goldstein_price_parts)
        helper = fn.__globals__.get(name)
        if isinstance(helper, types.FunctionType):
            parts.append(_torch_source(ast.parse(textwrap.dedent(inspect.getsource(helper)))))
    parts.append(_torch_source(ast.parse(textwrap.dedent(inspect.getsource(fn)))))
    return "\n\n\n".join(parts) + f"\n\n\nf = {fn.__name__}\n"


def data_loss(data: dict[str, Any]) -> str:
    model, loss = data["model"], data["loss"]
    args = ", ".join(DATA_PARAMS[model])
    lines = [f"x_data = torch.tensor({data['x']!r})", f"y_data = torch.tensor({data['y']!r})",
             "", "", f"def f({args}, x=x_data, y=y_data):"]  # fmt: skip
    if model == "logistic":
        logits = "w * x + b"
        lines.append(
            f"    return torch.nn.functional.binary_cross_entropy_with_logits({logits}, y)"
            if loss == "bce" else f"    return ((torch.sigmoid({logits}) - y) ** 2).mean()"
        )  # fmt: skip
    else:
        prediction = "w * x" if model == "line-through-origin" else "m * x + b"
        lines.append(f"    return (({prediction} - y) ** 2).mean()")
    return "\n".join(lines) + "\n"


def _value(v: Any) -> str:
    if isinstance(v, list | tuple):
        return "(" + ", ".join(_value(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    return repr(v)


def _kwargs(name: str, values: dict[str, Any], lr: bool = True) -> list[str]:
    """``lr`` (always) and each kwarg of ``name``'s class away from its default."""
    kwargs = [f"lr={_value(values['lr'])}"] if lr else []
    for p in get_spec(name).params:
        value = values[p.name]
        same = tuple(value) == tuple(p.default) if p.kind == "pair" else value == p.default
        if p.name != "lr" and not same:
            kwargs.append(f"{p.name}={_value(value)}")
    return kwargs


def optimizer_call(optimizer: Optimizer) -> str:
    spec = get_spec(optimizer.name)
    values = optimizer.hyperparams
    if optimizer.sam:  # SAM(params, base class, its own kwargs, the base's kwargs)
        base = get_spec(optimizer.base).torch_class
        own = [k for k in _kwargs(optimizer.name, values, lr=False) if not k.startswith("base=")]
        shared = tuple(f"{name}=" for name in ("base", "rho", "adaptive"))  # SAM's (Adadelta's
        # rho is SAM's: one kwarg for both, as in the reference)
        kwargs = [class_name(base), *own,
                  *(k for k in _kwargs(optimizer.base, values) if not k.startswith(shared))]
    else:
        kwargs = _kwargs(optimizer.name, values)
    return f"{class_name(spec.torch_class)}([p], {', '.join(kwargs)})"


def scheduler_lines(schedule: Schedule, steps: int) -> list[str]:
    """``scheduler = …`` (SequentialLR: its children first, on the same optimizer)."""

    def call(s: Schedule) -> str:
        kwargs = []
        for p in s.spec.params:
            value = s.options[p.name]
            if p.kind == "schedulers":
                kwargs.append("schedulers")
            elif s.name == "OneCycleLR" and p.name == "total_steps" and value is None:
                if s.options["epochs"] is None or s.options["steps_per_epoch"] is None:
                    kwargs.append(f"total_steps={steps}")  # the engine's default: the run's
            elif p.default is REQUIRED or value != p.default:
                kwargs.append(f"{p.name}={_value(list(value) if p.kind == 'int_list' else value)}")
        return f"torch.optim.lr_scheduler.{s.name}(optimizer{''.join(', ' + k for k in kwargs)})"

    lines = []
    if schedule.name == "SequentialLR":
        children = ",\n    ".join(call(child) for child in schedule.options["schedulers"])
        lines.append(f"schedulers = [\n    {children},\n]")
    lines.append(f"scheduler = {call(schedule)}")
    return lines


LOOP = """
{start}
optimizer = {optimizer}
{setup}{scheduler}steps, tol = {steps}, {tol!r}
{sampling}{closure}
points, losses, lrs{evaluations_name} = [], [], []{evaluations_init}
for step in range(steps + 1):
    optimizer.zero_grad()
    loss = {call})
    loss.backward()
    norm = p.grad.norm()
    if not (torch.isfinite(p).all() and torch.isfinite(loss) and torch.isfinite(norm)):
        break  # diverged: the point is not kept
    points.append(p.tolist())
    losses.append(loss.item())
    if step == steps or (tol > 0 and norm <= tol):
        break
    lrs.append(optimizer.param_groups[0]["lr"])
{gradient}{step}
{thin}print(json.dumps({{"points": points, "losses": losses, "lrs": lrs{evaluations_out}}}))
"""


def script(f: LossFunction, loss_source: str, start: list[float], optimizer: Optimizer,
           steps: int, tol: float, sampling: Sampling | None = None,
           init_seed: int | None = None, record_every: int = 1) -> str:  # fmt: skip
    """The whole script: header, the loss, the optimizer (and scheduler), the loop. A
    network's point is its flat vector ``p`` (``f(p)``), drawn as the engine's ``init_seed``."""
    sampling, network = sampling or Sampling(), "network" in f.extra
    call = "f(p" if network else "f(*p"
    schedule = optimizer.schedule
    torch_class = get_spec(optimizer.name).torch_class
    base_class = get_spec(optimizer.base).torch_class
    lbfgs = optimizer.name == "lbfgs"
    step = ["    optimizer.step(closure)" if lbfgs else "    optimizer.step()"]
    if lbfgs:
        step = ['    before = optimizer.state[p].get("func_evals", 0)', *step,
                '    evaluations.append(optimizer.state[p]["func_evals"] - before)']  # fmt: skip
    if optimizer.sam:  # two backward passes a step: at w, then at w + e
        step = ["    optimizer.first_step(zero_grad=True)  # w -> w + e",
                "    f(*p).backward()  # the gradient at w + e",
                "    optimizer.second_step(zero_grad=True)  # back to w, the base steps",
                "    evaluations.append(2)"]  # fmt: skip
    counted = lbfgs or optimizer.sam
    setup = SETUP.get(base_class, "")  # SAM: its base's, on optimizer.base_optimizer
    if optimizer.sam:
        setup = setup.replace("optimizer.", "optimizer.base_optimizer.", 1)
    if schedule is not None:
        step.append("    scheduler.step(loss.item())" if schedule.feedback
                    else "    scheduler.step()")  # fmt: skip
    closure = (f"\n\ndef closure():\n    optimizer.zero_grad()\n    value = {call})\n"
               "    value.backward()\n    return value\n\n" if lbfgs else "")  # fmt: skip
    title = f"{get_spec(optimizer.name).title} on {f.title}"
    if optimizer.sam:
        title = f"SAM around {get_spec(optimizer.base).title} on {f.title}"
    if schedule is not None:
        title += f" with {schedule.name}"
    header = (f'"""{title}: the run Descent computed, as a plain PyTorch loop.\n\n'
              'Generated by POST /api/v1/code. Run it with torch 2.13; it prints the '
              'trajectory as JSON.\n"""\n\nimport json\nimport math\n\n'
              + ("import numpy as np\n" if sampling.numpy or (network and init_seed is not None)
                 else "")
              + "import torch\n\ntorch.set_default_dtype(torch.float64)\n\n\n")  # fmt: skip
    loop = LOOP.format(
        start=torch_network.start_line(start, init_seed) if network
        else f"p = torch.tensor({[float(v) for v in start]!r}, requires_grad=True)",
        call=call, sampling=sampling.setup(), gradient=sampling.step(call),
        thin="" if record_every == 1 else f"points = points[::{record_every}] + (points[-1:] if "
        f"(len(points) - 1) % {record_every} else [])  # as the API: every "
        f"{record_every} steps and the last\n",
        optimizer=optimizer_call(optimizer), setup=setup + "\n" if setup else "",
        scheduler="".join(line + "\n" for line in scheduler_lines(schedule, steps))
        if schedule is not None else "",
        steps=steps, tol=float(tol), closure=closure, step="\n".join(step),
        evaluations_name=", evaluations" if counted else "",
        evaluations_init=", []" if counted else "",
        evaluations_out=', "evaluations": evaluations' if counted else "",
    )  # fmt: skip
    inline = "".join("\n" + INLINE_CLASSES[c] for c in dict.fromkeys((base_class, torch_class))
                     if c in INLINE_CLASSES)
    return header + loss_source + inline + "\n" + loop
