"""CorpFinity's services, one module per concern."""

from appfleet.apps.corpfinity.service import _achievement_defs as achievement_defs
from appfleet.apps.corpfinity.service import _achievements as achievements
from appfleet.apps.corpfinity.service import _catalog_admin as catalog_admin
from appfleet.apps.corpfinity.service import _challenges as challenges
from appfleet.apps.corpfinity.service import _notices as notices
from appfleet.apps.corpfinity.service import _privacy as privacy
from appfleet.apps.corpfinity.service import _reminders as reminders
from appfleet.apps.corpfinity.service import _stats as stats
from appfleet.apps.corpfinity.service import _streaks as streaks
from appfleet.apps.corpfinity.service import _tracking as tracking
from appfleet.apps.corpfinity.service._common import Member, Runtime

__all__ = [
    "Member",
    "Runtime",
    "achievement_defs",
    "achievements",
    "catalog_admin",
    "challenges",
    "notices",
    "privacy",
    "reminders",
    "stats",
    "streaks",
    "tracking",
]
