"""Email delivery: SMTP (aiosmtplib), SendGrid's v3 mail API and Postmark's email API.

Each sends one outbox message and sorts failures: a refusal that no retry can fix (an address the
vendor rejects, a 4xx about the message) raises `Undeliverable`, so the message goes to `dead`
at once; anything else (timeouts, 429, 5xx, a dropped connection) raises and the delivery job
retries with backoff. The outbox message id travels with each email (Message-ID, SendGrid
custom_args, Postmark Metadata) so bounce and complaint webhooks can be matched to it.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import httpx2

from appfleet.core.settings import EmailSettings
from appfleet.providers.vendor import json_object
from appfleet.runtime.outbox import OutboxMessage, Sender, Undeliverable

# Postmark's ErrorCodes that describe the message or the recipient, not a passing trouble.
POSTMARK_PERMANENT = {300, 400, 401, 402, 403, 406, 409, 411}


def _parts(message: OutboxMessage, default_sender: str) -> tuple[str, str, str, str | None]:
    payload = message.payload
    sender = payload.get("from") or default_sender
    return (
        sender,
        str(payload.get("subject", "")),
        str(payload.get("text", "")),
        payload.get("html"),
    )


class SmtpSender:
    def __init__(self, settings: EmailSettings) -> None:
        self._settings = settings

    def provider(self, message: OutboxMessage) -> str:
        return "smtp"

    async def send(self, message: OutboxMessage) -> str | None:
        import aiosmtplib  # only a process that delivers over SMTP loads it

        s = self._settings
        sender, subject, text, html = _parts(message, s.default_sender)
        email = EmailMessage()
        message_id = f"<{message.id}@appfleet>"
        email["From"], email["To"], email["Subject"] = sender, message.recipient, subject
        email["Message-ID"] = message_id
        email.set_content(text)
        if html:
            email.add_alternative(html, subtype="html")
        try:
            await aiosmtplib.send(
                email,
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_username,
                password=s.smtp_password.get_secret_value() if s.smtp_password else None,
                use_tls=s.smtp_security == "tls",
                start_tls=True if s.smtp_security == "starttls" else False,
                timeout=s.timeout_s,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [refusal.code for refusal in exc.recipients]
            if codes and all(500 <= code < 600 for code in codes):
                raise Undeliverable(f"recipient refused: {exc.recipients[0].message}") from exc
            raise
        except aiosmtplib.SMTPResponseException as exc:
            if 500 <= exc.code < 600:
                raise Undeliverable(f"SMTP {exc.code}: {exc.message}") from exc
            raise
        return message_id


class SendGridSender:
    def __init__(self, settings: EmailSettings, http: httpx2.AsyncClient) -> None:
        if settings.sendgrid_api_key is None:
            raise ValueError("SendGrid needs APPFLEET_EMAIL__SENDGRID_API_KEY")
        self._settings, self._http = settings, http
        self._key = settings.sendgrid_api_key.get_secret_value()

    def provider(self, message: OutboxMessage) -> str:
        return "sendgrid"

    async def send(self, message: OutboxMessage) -> str | None:
        sender, subject, text, html = _parts(message, self._settings.default_sender)
        content = [{"type": "text/plain", "value": text}]
        if html:
            content.append({"type": "text/html", "value": html})
        body: dict[str, Any] = {
            "personalizations": [
                {
                    "to": [{"email": message.recipient}],
                    "custom_args": {"outbox_id": str(message.id)},
                }
            ],
            "from": {"email": sender},
            "subject": subject,
            "content": content,
        }
        response = await self._http.post(
            self._settings.sendgrid_url.rstrip("/") + "/v3/mail/send",
            json=body,
            headers={"Authorization": f"Bearer {self._key}"},
            timeout=self._settings.timeout_s,
        )
        if response.status_code == 202:
            return response.headers.get("x-message-id")
        detail = f"SendGrid {response.status_code}: {response.text[:300]}"
        if response.status_code in (400, 413):
            raise Undeliverable(detail)
        raise RuntimeError(detail)  # 401/403 (a key to fix), 429, 5xx: retried


class PostmarkSender:
    def __init__(self, settings: EmailSettings, http: httpx2.AsyncClient) -> None:
        if settings.postmark_server_token is None:
            raise ValueError("Postmark needs APPFLEET_EMAIL__POSTMARK_SERVER_TOKEN")
        self._settings, self._http = settings, http
        self._token = settings.postmark_server_token.get_secret_value()

    def provider(self, message: OutboxMessage) -> str:
        return "postmark"

    async def send(self, message: OutboxMessage) -> str | None:
        sender, subject, text, html = _parts(message, self._settings.default_sender)
        body: dict[str, Any] = {
            "From": sender,
            "To": message.recipient,
            "Subject": subject,
            "TextBody": text,
            "MessageStream": self._settings.postmark_stream,
            "Metadata": {"outbox_id": str(message.id)},
        }
        if html:
            body["HtmlBody"] = html
        response = await self._http.post(
            self._settings.postmark_url.rstrip("/") + "/email",
            json=body,
            headers={"X-Postmark-Server-Token": self._token, "Accept": "application/json"},
            timeout=self._settings.timeout_s,
        )
        if response.status_code == 200:
            accepted = json_object(response)
            return str(accepted["MessageID"]) if "MessageID" in accepted else None
        try:
            code = int(json_object(response).get("ErrorCode", -1))
        except (ValueError, AttributeError):
            code = -1
        detail = f"Postmark {response.status_code} (ErrorCode {code}): {response.text[:300]}"
        if response.status_code == 422 and code in POSTMARK_PERMANENT:
            raise Undeliverable(detail)
        raise RuntimeError(detail)


def email_sender(settings: EmailSettings, http: httpx2.AsyncClient) -> Sender | None:
    """The configured provider, or None for the outbox itself (embedded mode)."""
    if settings.provider == "smtp":
        return SmtpSender(settings)
    if settings.provider == "sendgrid":
        return SendGridSender(settings, http)
    if settings.provider == "postmark":
        return PostmarkSender(settings, http)
    return None
