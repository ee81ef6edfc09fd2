"""The update rules' symbol table names only symbols its equations use and sources that exist."""

import pytest

from app.engine.optim import describe
from app.engine.optim.specs import SPECS
from app.engine.optim.symbols import SYMBOLS

NAMES = sorted(SPECS)


def test_every_optimizer_has_a_symbol_table():
    assert set(SYMBOLS) == set(SPECS)


@pytest.mark.parametrize("name", NAMES)
def test_symbols_occur_in_the_equations_and_sources_exist(name):
    box = describe(name)  # what GET /api/v1/optimizers serves (L-BFGS has no scalar rule)
    text = " ".join(box["equations"])
    params = {p.name: p for p in SPECS[name].params}
    if "base" in params:  # SAM: its base's kwargs sit beside its own
        params |= {p.name: p for p in SPECS[params["base"].default].params}
    for symbol, source in SYMBOLS[name].items():
        assert symbol in text, (name, symbol)
        if source.startswith("state:"):
            assert source[6:] in box["state"], (name, source)
        elif source not in ("grad", "point", "t"):
            param, _, index = source.partition(".")
            assert param in params, (name, source)
            assert (params[param].kind == "pair") == bool(index), (name, source)


@pytest.mark.parametrize("name", NAMES)
def test_the_learning_rate_and_the_gradient_are_named(name):
    sources = set(SYMBOLS[name].values())
    assert "lr" in sources and "point" in sources
    assert "grad" in sources or name == "radam"  # RAdam's lines are written in m̂_t alone
