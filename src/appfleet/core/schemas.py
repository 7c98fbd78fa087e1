"""The base of every request and response schema."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class Schema(BaseModel):
    """A pydantic model whose own validator and serializer are built on first use.

    Building them is most of what defining a model costs (about 1 ms each, for some 260 schemas
    across the fleet), and a new process needs only the few its first requests touch. Once the
    class exists its config stops asking for deferral, so the validators FastAPI builds for a
    route (core/routing.py builds a route on its first use) are built there and then, as
    FastAPI expects, rather than on the route's first request.
    """

    model_config = ConfigDict(defer_build=True)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.model_config = {**cls.model_config, "defer_build": False}
