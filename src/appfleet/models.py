"""Every ORM model, imported explicitly so Alembic and tests see the whole schema."""

from appfleet.core.database import Base
from appfleet.core.idempotency import models as idempotency_models

metadata = Base.metadata

__all__ = ["idempotency_models", "metadata"]
