"""Every ORM model, imported explicitly so Alembic and tests see the whole schema."""

from appfleet.apps.corpfinity import models as corpfinity_models
from appfleet.apps.fitnudge import models as fitnudge_models
from appfleet.apps.fitnudge.models import (
    FULL_TEXT_COLUMNS,
    FULL_TEXT_INDEXES,
    FULL_TEXT_TABLE_PREFIX,
)
from appfleet.apps.healthindex import models as healthindex_models
from appfleet.apps.lowkeymode import models as lowkeymode_models
from appfleet.apps.pennywise import models as pennywise_models
from appfleet.core.database import Base
from appfleet.core.idempotency import models as idempotency_models
from appfleet.platform.admin import models as admin_models
from appfleet.platform.ai import models as ai_models
from appfleet.platform.audit import models as audit_models
from appfleet.platform.auth import models as auth_models
from appfleet.platform.billing import models as billing_models
from appfleet.platform.flags import models as flag_models
from appfleet.platform.locales import models as locale_models
from appfleet.platform.notifications import models as notification_models
from appfleet.platform.privacy import models as privacy_models
from appfleet.platform.uploads import models as upload_models
from appfleet.platform.users import models as user_models
from appfleet.providers.email import models as email_models
from appfleet.providers.push import models as push_models
from appfleet.runtime import analytics as analytics_models
from appfleet.runtime import models as runtime_models
from appfleet.runtime import outbox as outbox_models
from appfleet.runtime.jobs import models as job_models

metadata = Base.metadata

__all__ = [
    "FULL_TEXT_COLUMNS",
    "FULL_TEXT_INDEXES",
    "FULL_TEXT_TABLE_PREFIX",
    "admin_models",
    "ai_models",
    "analytics_models",
    "audit_models",
    "email_models",
    "auth_models",
    "billing_models",
    "corpfinity_models",
    "fitnudge_models",
    "flag_models",
    "healthindex_models",
    "locale_models",
    "lowkeymode_models",
    "idempotency_models",
    "job_models",
    "metadata",
    "notification_models",
    "outbox_models",
    "pennywise_models",
    "privacy_models",
    "push_models",
    "runtime_models",
    "upload_models",
    "user_models",
]
