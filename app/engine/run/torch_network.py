"""A network run's part of a generated script: the data, the ``nn.Sequential``, its loss
module, the start and ``f(theta)``, the mean loss as a function of the parameter vector.

Descent's point is the network's flat parameter vector (``parameters_to_vector`` order:
each layer's weight, row-major, then its bias), so the script optimizes that one vector
and evaluates the model on it with ``torch.func.functional_call``: the optimizer sees the
tensor the engine's does (Adafactor would factor a weight matrix's second moment if it were
handed ``model.parameters()``; every other optimizer steps each coordinate alike).

The data is written into the script: the digits as each image's 64 pixel counts 0…16
(``load_digits``' own numbers, base 17 to keep a line per image), a toy set or typed points
as the numbers the engine drew or was given. A ``{init: torch, seed}`` start is drawn as
the engine draws it (``Network.init_torch``: ``nn.Linear``'s U(±1/√fan_in), from numpy's
seeded generator), so the script needs nothing else.
"""

from __future__ import annotations

import numpy as np

from app.engine.functions import LossFunction

ACTIVATION_CLASSES = {"tanh": "Tanh", "relu": "ReLU", "sigmoid": "Sigmoid"}
LOSS_CLASSES = {"bce": "BCEWithLogitsLoss", "mse": "MSELoss", "ce": "CrossEntropyLoss"}
DIGITS_ALPHABET = "0123456789abcdefg"  # a pixel count 0…16 as one base-17 digit


def _wrapped(name: str, values: list, extra: str = "") -> str:
    """``name = torch.tensor([...]{extra})``, the items packed into lines of 92 columns."""
    lines, line = [], ""
    for item in map(repr, values):
        if line and len(line) + len(item) > 90:
            lines.append(line)
            line = ""
        line = f"{line}, {item}" if line else item
    text = "[" + ",\n     ".join([*lines, line]) + "]"
    if "\n" not in text and len(name) + len(text) + len(extra) < 80:
        return f"{name} = torch.tensor({text}{extra})"
    return f"{name} = torch.tensor(\n    {text}{extra}\n)"


def data_lines(f: LossFunction, dataset: str | None) -> list[str]:
    X, Y = f.extra["x"], f.extra["y"]
    if dataset == "digits":
        counts = np.rint(X * 16).astype(int)
        if not np.array_equal(counts / 16.0, X):  # the shipped file's counts, divided by 16
            raise ValueError("digits are pixel counts 0…16 over 16")
        rows = "\n".join("".join(DIGITS_ALPHABET[c] for c in row) + str(int(label))
                         for row, label in zip(counts, Y, strict=True))  # fmt: skip
        return [
            f"# The first {len(X)} of the 8×8 handwritten digits (sklearn.datasets.load_digits):",
            "# per line an image's 64 pixel counts 0…16 in base 17 (g = 16), then its label.",
            f'DIGITS = """\n{rows}\n"""',
            "rows = DIGITS.split()",
            "x_data = torch.tensor([[int(c, 17) for c in row[:64]] for row in rows]) / 16",
            "y_data = torch.tensor([int(row[64]) for row in rows])",
        ]  # fmt: skip
    labels = Y.tolist() if Y.dtype != np.int64 else [int(v) for v in Y]
    where = f"the {dataset} data set as Descent drew it" if dataset else "the data"
    return [f"# {where}: {len(X)} samples", _wrapped("x_data", X.tolist()),
            _wrapped("y_data", labels)]  # fmt: skip


def model_lines(f: LossFunction) -> list[str]:
    spec = f.extra["network"]
    layers, act = spec["layers"], ACTIVATION_CLASSES[spec["activation"]]
    parts = []
    for i in range(len(layers) - 1):
        parts.append(f"    torch.nn.Linear({layers[i]}, {layers[i + 1]}),")
        if i < len(layers) - 2:
            parts.append(f"    torch.nn.{act}(),")
    output = "out.squeeze(1)" if spec["loss"] == "bce" else "out"  # BCE: one logit per sample
    return [
        "model = torch.nn.Sequential(", *parts, ")",
        f"loss_fn = torch.nn.{LOSS_CLASSES[spec['loss']]}()",
        "names = [name for name, _ in model.named_parameters()]",
        "shapes = [q.shape for q in model.parameters()]",
        "",
        "",
        "def f(theta, x=x_data, y=y_data):",
        '    """The mean loss over (x, y) at the flat parameter vector theta."""',
        "    views = torch.split(theta, [shape.numel() for shape in shapes])",
        "    params = {n: v.view(s) for n, v, s in zip(names, views, shapes)}",
        "    out = torch.func.functional_call(model, params, (x,))",
        f"    return loss_fn({output}, y)",
    ]  # fmt: skip


def network_loss(f: LossFunction, dataset: str | None) -> str:
    return "\n".join([*data_lines(f, dataset), "", *model_lines(f)]) + "\n"


def start_line(start: list[float], init_seed: int | None) -> str:
    """The start: torch's initialisation from the engine's seeded draws, or the given point."""
    if init_seed is None:
        return _wrapped("p", [float(v) for v in start], ", requires_grad=True")
    return "\n".join([
        "# nn.Linear's initialisation, U(±1/√fan_in), drawn from numpy's generator as Descent",
        "# draws it, so the start is the API's",
        f"init = np.random.default_rng({init_seed})",
        "with torch.no_grad():",
        "    for layer in model[::2]:",
        "        bound = 1 / math.sqrt(layer.in_features)",
        "        for q in (layer.weight, layer.bias):",
        "            q.copy_(torch.from_numpy(init.uniform(-bound, bound, tuple(q.shape))))",
        "p = torch.nn.utils.parameters_to_vector(model.parameters()).detach().requires_grad_()",
    ])  # fmt: skip
