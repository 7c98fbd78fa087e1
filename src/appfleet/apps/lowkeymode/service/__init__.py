"""Lowkey Mode's services, one module per concern."""

from appfleet.apps.lowkeymode.service import _privacy as privacy
from appfleet.apps.lowkeymode.service import _profiles as profiles
from appfleet.apps.lowkeymode.service import _referrals as referrals
from appfleet.apps.lowkeymode.service import _scores as scores
from appfleet.apps.lowkeymode.service import _streak as streak
from appfleet.apps.lowkeymode.service._common import Lowkey

__all__ = ["Lowkey", "privacy", "profiles", "referrals", "scores", "streak"]
