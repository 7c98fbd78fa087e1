"""The cold-start floor: the least a FastAPI backend with accounts imports and does before it can
answer an authenticated request — SQLAlchemy's ORM, PyJWT (and with it `cryptography`), a
pydantic response — with none of appfleet. One table, one route.

    COLD_FLOOR_DB=/tmp/floor.sqlite uvicorn cold_floor_app:app

`GET /me` with `Authorization: Bearer <HS256 token, sub = 1>` reads the row. `coldstart.py`
creates the database before timing, as appfleet's is migrated before it is timed.
"""

from __future__ import annotations

import os
from typing import Annotated

import jwt
from fastapi import FastAPI, Header, HTTPException
from pydantic import BaseModel
from sqlalchemy import String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

SECRET = "cold-floor-" + "x" * 32
engine = create_engine(f"sqlite:///{os.environ.get('COLD_FLOOR_DB', 'cold_floor.sqlite')}")


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "account"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    email: Mapped[str] = mapped_column(String(320))


class Me(BaseModel):
    id: str
    email: str


app = FastAPI()


def token() -> str:
    return jwt.encode({"sub": "1"}, SECRET, algorithm="HS256")


def prepare() -> None:
    """The database `coldstart.py` starts the floor against."""
    Base.metadata.create_all(engine)
    with Session(engine) as session, session.begin():
        if session.get(Account, "1") is None:
            session.add(Account(id="1", email="floor@example.com"))


@app.get("/me")
def read_me(authorization: Annotated[str, Header()]) -> Me:
    try:
        claims = jwt.decode(authorization.removeprefix("Bearer "), SECRET, algorithms=["HS256"])
    except jwt.InvalidTokenError:
        raise HTTPException(401) from None
    with Session(engine) as session:
        account = session.scalar(select(Account).where(Account.id == claims["sub"]))
    if account is None:
        raise HTTPException(404)
    return Me(id=account.id, email=account.email)
