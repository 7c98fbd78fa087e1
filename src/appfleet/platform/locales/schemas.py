from __future__ import annotations

from pydantic import Field

from appfleet.core.schemas import Schema


class LanguageVersion(Schema):
    lang: str
    version: int
    untranslated: int = Field(description="Keys shown in English until translated.")


class LanguageList(Schema):
    default: str
    languages: list[LanguageVersion]


class LocalePage(Schema):
    app: str
    lang: str = Field(description="The language served (es for es-MX when only es exists).")
    fallback: str = Field(description="The language shown for untranslated keys.")
    version: int = Field(description="Grows whenever any of the strings shown changes.")
    messages: dict[str, str] = Field(description="UI strings by dotted key.")
    common: dict[str, str] = Field(description="Shared motivational phrases.")
    untranslated: list[str] = Field(description="Keys shown in the fallback language.")
