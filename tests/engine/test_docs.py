"""The README's optimizer and scheduler tables are the registries' (``optim/docs.py``)."""

import pytest

from app.engine.optim import docs


@pytest.mark.parametrize("name", sorted(docs.BLOCKS))
def test_the_readme_holds_the_table_generated_from_the_registry(name):
    assert docs.block(name) in docs.README.read_text()


def test_every_optimizer_and_scheduler_has_a_row():
    from app.engine.optim import SCHEDULERS, SPECS

    assert all(f"| `{name}` |" in docs.optimizer_table() for name in SPECS)
    assert all(f"| `{name}` |" in docs.scheduler_table() for name in SCHEDULERS)
