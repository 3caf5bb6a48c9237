import pytest

from banhao.portal.seeding import run_all


@pytest.fixture
def seeded(db) -> dict[str, int]:
    """The full gazette seed, loaded through the real loader; returns the counts held."""
    return run_all()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The dashboard is cached per ledger version; each test starts from an empty cache."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
