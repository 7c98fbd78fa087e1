"""What a partial update (PATCH) sets.

A field left out changes nothing. An explicit `null` clears a field only where a cleared value
means something (`nullable`); elsewhere it is the same as leaving the field out — a client that
sends every field with nulls for "unchanged" must not be answered with a database error.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from pydantic import BaseModel


def patch_values(body: BaseModel, *, nullable: Collection[str] = ()) -> dict[str, Any]:
    given = body.model_dump(exclude_unset=True)
    return {name: value for name, value in given.items() if value is not None or name in nullable}
