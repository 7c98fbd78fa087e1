import pytest

from appfleet.core.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Lowkey Mode's tests sign many people up from one address (a crowd at a leaderboard, a
    hundred redeeming one code); the sign-up and anonymous limits are the platform's, tested
    there."""
    limits = settings.ratelimit.model_copy(
        update={"signup": "1000/minute", "anonymous": "1000/minute"}
    )
    return settings.model_copy(update={"ratelimit": limits})
