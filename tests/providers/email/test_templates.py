"""Email templates: subject line, plain text and escaped HTML."""

from __future__ import annotations

from datetime import date

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


TEMPLATES = [
    "password_reset",
    "verify_email",
    "account_deleted",
    "welcome",
    "payment_receipt",
    "payment_failed",
    "invoice",
    "weekly_summary",
    "streak_risk",
]
CONTEXT = {
    "app_name": "CorpFinity",
    "name": "Ann",
    "token": "tok123",
    "link": None,
    "code": "123456",
    "valid_minutes": 15,
    "purge_date": "2026-12-23",
    "amount_cents": 123456,
    "currency": "eur",
    "plan_name": "Pro",
    "paid_on": date(2026, 3, 8),
    "next_billing_date": date(2026, 4, 8),
    "invoice_url": "https://pay.example.com/i/42",
    "invoice_number": "CF-0042",
    "issued_on": "2026-03-08",
    "due_on": None,
    "paid": True,
    "lines": [{"description": "Pro (monthly)", "amount_cents": 123456}],
    "week_start": date(2026, 3, 2),
    "week_end": date(2026, 3, 8),
    "count": 5,
    "streak": 12,
    "highlights": ["Longest streak yet"],
    "deadline": "23:59",
    "retry_on": date(2026, 3, 11),
    "update_url": "https://pay.example.com/p/42",
}


@pytest.mark.parametrize("language", ["es", "fr", "de"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_translation_renders_with_the_english_variables(template: str, language: str) -> None:
    context = CONTEXT
    translated = render(template, language=language, **context)
    english = render(template, **context)
    assert translated.subject != english.subject and translated.text != english.text
    assert f'<html lang="{language}">' in (translated.html or "")


def test_a_missing_variable_is_an_error_not_a_blank() -> None:
    with pytest.raises(jinja2.UndefinedError):
        render("verify_email", app_name="CorpFinity", name="Ann", valid_minutes=15)


@pytest.mark.parametrize(
    ("language", "amount", "day"),
    [
        ("en", "€1,234.56", "March 8, 2026"),
        ("es", "1.234,56 €", "8 de marzo de 2026"),
        ("fr", "1\u202f234,56 €", "8 mars 2026"),
        ("de", "1.234,56 €", "8. März 2026"),
    ],
)
def test_money_and_dates_are_written_as_the_reader_writes_them(
    language: str, amount: str, day: str
) -> None:
    receipt = render("payment_receipt", language=language, **CONTEXT)
    assert amount in receipt.subject and amount in receipt.text
    assert day in receipt.text
    assert "https://pay.example.com/i/42" in receipt.text


def test_other_currencies_and_whole_unit_ones() -> None:
    dollars = render("payment_receipt", **(CONTEXT | {"currency": "usd", "amount_cents": 999}))
    assert "$9.99" in dollars.subject
    yen = render("payment_receipt", **(CONTEXT | {"currency": "jpy", "amount_cents": 1200}))
    assert "¥1,200" in yen.subject
    krone = render("payment_receipt", **(CONTEXT | {"currency": "dkk", "amount_cents": 4995}))
    assert "49.95 DKK" in krone.subject


def test_plurals_and_optional_parts_read_right() -> None:
    one = render("weekly_summary", **(CONTEXT | {"count": 1, "streak": 0, "highlights": []}))
    assert one.subject == "Your week in CorpFinity: 1 check-in"
    assert "A new streak can start tomorrow." in one.text and "Highlights" not in one.text
    due = render("invoice", **(CONTEXT | {"paid": False, "due_on": date(2026, 3, 22)}))
    assert "Status: due by March 22, 2026." in due.text


def test_the_apps_branding_is_in_the_html() -> None:
    email = render(
        "welcome",
        **(CONTEXT | {"brand_color": "#16a34a", "logo_url": "https://cdn.example.com/l.png"}),
    )
    assert email.html is not None
    assert "background: #16a34a" in email.html
    assert '<img src="https://cdn.example.com/l.png" alt="CorpFinity"' in email.html
    plain = render("welcome", **CONTEXT)
    assert "background: #2563eb" in (plain.html or "")  # the default accent
