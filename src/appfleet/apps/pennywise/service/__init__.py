"""PennyWise's services, one module per concern."""

from appfleet.apps.pennywise.service import _accounts as accounts
from appfleet.apps.pennywise.service import _analytics as analytics
from appfleet.apps.pennywise.service import _categories as categories
from appfleet.apps.pennywise.service import _chat as chat
from appfleet.apps.pennywise.service import _imports as imports
from appfleet.apps.pennywise.service import _insights as insights
from appfleet.apps.pennywise.service import _privacy as privacy
from appfleet.apps.pennywise.service import _transactions as transactions
from appfleet.apps.pennywise.service._common import Ledger, Owner

__all__ = [
    "Ledger",
    "Owner",
    "accounts",
    "analytics",
    "categories",
    "chat",
    "imports",
    "insights",
    "privacy",
    "transactions",
]
