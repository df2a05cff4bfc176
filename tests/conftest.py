from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
TINY = DATA / "tiny"


@pytest.fixture(scope="session")
def tiny_layers():
    from network import load_layers

    return load_layers(TINY)


@pytest.fixture(scope="session")
def real_layers():
    from network import load_layers

    return load_layers()
