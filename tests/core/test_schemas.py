"""Schemas build their validators on first use, and validate as any pydantic model."""

from __future__ import annotations

import warnings
from typing import Annotated

import pytest
from pydantic import ConfigDict, Field, TypeAdapter, ValidationError
from pydantic.warnings import UnsupportedFieldAttributeWarning

from appfleet.core.schemas import Schema


def test_a_schema_is_built_on_first_use() -> None:
    class Reminder(Schema):
        hour: int = Field(ge=0, le=23)

    assert not Reminder.__pydantic_complete__
    assert Reminder.model_validate({"hour": 7}).hour == 7
    assert Reminder.__pydantic_complete__
    with pytest.raises(ValidationError):
        Reminder.model_validate({"hour": 24})


def test_a_schemas_own_config_still_applies() -> None:
    class Strict(Schema):
        model_config = ConfigDict(extra="forbid")
        name: str

    with pytest.raises(ValidationError, match="Extra inputs"):
        Strict.model_validate({"name": "a", "other": 1})


def test_validators_made_for_a_route_are_built_at_once_without_warnings() -> None:
    # FastAPI wraps a body model with its field info (an alias) and silences pydantic's warning
    # about it only while it builds the adapter: a deferred adapter would warn on first request.
    class Body(Schema):
        text: str

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsupportedFieldAttributeWarning)
        adapter = TypeAdapter(Annotated[Body, Field(alias="body")])
    assert adapter.pydantic_complete
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert adapter.validate_python({"text": "x"}).text == "x"
