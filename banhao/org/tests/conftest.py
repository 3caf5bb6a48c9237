import pytest

from banhao.portal.seeding import run_all


@pytest.fixture
def seeded(db) -> dict[str, int]:
    """The full gazette seed, loaded through the real loader; returns the counts held."""
    return run_all()
