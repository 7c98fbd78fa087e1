"""QueryModel: a route's query string in one validation, documented as parameters."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.requests import Request

from appfleet.core.query import QueryModel


class Filters(BaseModel):
    start: dt.date | None = Field(None, alias="from", description="From this day.")
    limit: int = Field(20, ge=1, le=100)
    q: str | None = None


def request(query: str) -> Request:
    return Request({"type": "http", "query_string": query.encode(), "headers": []})


def test_values_are_read_by_alias_and_defaults_fill_the_rest() -> None:
    model = QueryModel(Filters)
    assert model.parse(request("")) == Filters()
    parsed = model.parse(request("from=2026-03-01&limit=5&other=ignored"))
    assert (parsed.start, parsed.limit, parsed.q) == (dt.date(2026, 3, 1), 5, None)


def test_a_bad_value_is_a_validation_error_naming_the_parameter() -> None:
    with pytest.raises(RequestValidationError) as raised:
        QueryModel(Filters).parse(request("limit=500&from=yesterday"))
    assert sorted(e["loc"] for e in raised.value.errors()) == [
        ("query", "from"),
        ("query", "limit"),
    ]


def test_the_parameters_are_documented() -> None:
    parameters = QueryModel(Filters).openapi()["parameters"]
    assert [(p["name"], p["required"]) for p in parameters] == [
        ("from", False),
        ("limit", False),
        ("q", False),
    ]
    assert parameters[0]["description"] == "From this day."
    assert parameters[1]["schema"] == {
        "default": 20,
        "maximum": 100,
        "minimum": 1,
        "type": "integer",
    }
