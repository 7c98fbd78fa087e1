"""Health Index's services: the catalog, the cart, checkout and orders, the shop's admin."""

from appfleet.apps.healthindex.service import _admin as admin
from appfleet.apps.healthindex.service import _cart as cart
from appfleet.apps.healthindex.service import _catalog as catalog
from appfleet.apps.healthindex.service import _orders as orders
from appfleet.apps.healthindex.service import _privacy as privacy
from appfleet.apps.healthindex.service._common import Shop

__all__ = ["Shop", "admin", "cart", "catalog", "orders", "privacy"]
