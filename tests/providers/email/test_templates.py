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


def test_a_template_without_html_sends_text_only() -> None:
    email = render("account_deleted", app_name="PennyWise", name="", purge_date="2026-12-23")
    assert email.html is None
    assert "2026-12-23" in email.text
    assert email.text.startswith("Hi there,")


def test_a_missing_variable_is_an_error_not_a_blank() -> None:
    with pytest.raises(jinja2.UndefinedError):
        render("verify_email", app_name="CorpFinity", name="Ann", valid_minutes=15)
