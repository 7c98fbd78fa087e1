"""Email templates: subject line, plain text and escaped HTML."""

from __future__ import annotations

import jinja2
import pytest

from appfleet.providers.email.templates import render


def test_reset_email_has_a_subject_text_and_escaped_html() -> None:
    email = render(
        "password_reset",
        app_name="CorpFinity",
        name="<b>Ann</b>",
        token="tok123",
        link=None,
        valid_minutes=60,
    )
    assert email.subject == "Reset your CorpFinity password"
    assert email.text.startswith("Hi <b>Ann</b>,")  # plain text is not HTML
    assert "tok123" in email.text and "60 minutes" in email.text
    assert email.html is not None
    assert "&lt;b&gt;Ann&lt;/b&gt;" in email.html and "<b>Ann</b>" not in email.html


def test_a_template_without_html_gets_its_text_laid_out_escaped_and_linked() -> None:
    email = render("account_deleted", app_name="Penny<Wise>", name="", purge_date="2026-12-23")
    assert "2026-12-23" in email.text
    assert email.text.startswith("Hi there,")
    assert email.html is not None
    assert '<html lang="en">' in email.html
    assert "Penny&lt;Wise&gt;" in email.html and "Penny<Wise>" not in email.html
    assert "<p>Hi there,</p>" in email.html


@pytest.mark.parametrize(
    ("language", "subject", "greeting"),
    [
        ("es", "Restablece tu contraseña de CorpFinity", "Hola Ann:"),
        ("fr-CA", "Réinitialisez votre mot de passe CorpFinity", "Bonjour Ann,"),
        ("de_AT", "Setze dein CorpFinity-Passwort zurück", "Hallo Ann,"),
        ("ja", "Reset your CorpFinity password", "Hi Ann,"),  # not translated: English
        (None, "Reset your CorpFinity password", "Hi Ann,"),
    ],
)
def test_the_users_language_is_used_with_english_as_the_fallback(
    language: str | None, subject: str, greeting: str
) -> None:
    email = render(
        "password_reset",
        language=language,
        app_name="CorpFinity",
        name="Ann",
        token="tok123",
        link="https://corpfinity.app/reset?t=tok123",
        valid_minutes=60,
    )
    assert email.subject == subject
    assert email.text.startswith(greeting)
    assert "https://corpfinity.app/reset?t=tok123" in email.text
    assert email.html is not None
    assert 'href="https://corpfinity.app/reset?t=tok123"' in email.html


@pytest.mark.parametrize("language", ["es", "fr", "de"])
@pytest.mark.parametrize("template", ["password_reset", "verify_email", "account_deleted"])
def test_every_translation_renders_with_the_english_variables(template: str, language: str) -> None:
    context = {
        "app_name": "CorpFinity",
        "name": "Ann",
        "token": "tok123",
        "link": None,
        "code": "123456",
        "valid_minutes": 15,
        "purge_date": "2026-12-23",
    }
    translated = render(template, language=language, **context)
    english = render(template, **context)
    assert translated.subject != english.subject and translated.text != english.text
    assert f'<html lang="{language}">' in (translated.html or "")


def test_a_missing_variable_is_an_error_not_a_blank() -> None:
    with pytest.raises(jinja2.UndefinedError):
        render("verify_email", app_name="CorpFinity", name="Ann", valid_minutes=15)
