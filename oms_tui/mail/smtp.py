"""Hand one message to the mail server, and say what became of it: sent, refused, or unknown.

SMTP has no way to ask a server afterwards whether it took a message (no read-back, unlike the store,
whose objects the outbox looks up after a lost answer). So the outcome is judged by where an attempt
stopped:
- before the message's data went (no connection, TLS, login, sender or recipient refused): it was not
  sent, and may be sent again;
- the server answered the data with a refusal code: not sent either;
- the connection dropped or timed out after the data went out, before the server's answer: the server
  may have queued it. That is UNKNOWN, and is never resent by itself: a person looks (the mailbox's
  Sent folder, the customer) and resends on purpose, with the same Message-ID so the customer's mail
  system can drop a duplicate, or marks it sent.
"""

from __future__ import annotations

import enum
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY

from oms_tui.mail.server import MailServer


class Delivery(enum.StrEnum):
    SENT = "sent"
    REFUSED = "refused"  # not sent: safe to send again
    UNKNOWN = "unknown"  # the answer was lost after the data went: maybe sent


@dataclass(frozen=True)
class Outcome:
    delivery: Delivery
    detail: str = ""


def compose(sender: str, to: str, subject: str, body: str, message_id: str, date: str) -> EmailMessage:
    """The message as sent: the same on every attempt (its Message-ID and Date are kept)."""
    message = EmailMessage(policy=SMTP_POLICY)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = date
    message["Message-ID"] = message_id
    message.set_content(body)
    return message


def _said(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(words.split())}"


def _tls_context(server: MailServer) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if server.ca_file is not None:
        context.load_verify_locations(cafile=str(server.ca_file))
    return context


def send(server: MailServer, message: EmailMessage) -> Outcome:
    """Send `message` to its To address through `server` (blocking: call it from a worker thread)."""
    to = message["To"]
    try:
        smtp = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
    except (OSError, smtplib.SMTPException) as exc:
        return Outcome(Delivery.REFUSED, f"could not reach the mail server {server.label}: {_reason(exc)}")
    try:
        refused = _before_data(smtp, server, to)
        if refused is not None:
            return Outcome(Delivery.REFUSED, refused)
        try:
            smtp.data(message.as_bytes())
        except smtplib.SMTPResponseException as exc:  # the server answered, and said no
            return Outcome(
                Delivery.REFUSED,
                f"the mail server refused the message: {_said(exc.smtp_code, exc.smtp_error)}",
            )
        except (OSError, smtplib.SMTPException) as exc:  # the data may have arrived: see the module's doc
            return Outcome(Delivery.UNKNOWN, f"the mail server's answer was lost ({_reason(exc)})")
        return Outcome(Delivery.SENT, f"accepted by {server.label}")
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):  # said goodbye to a server already gone: no matter
            smtp.close()


def _before_data(smtp: smtplib.SMTP, server: MailServer, to: str) -> str | None:
    """Greet, encrypt, log in, name sender and recipient; why not, when the server refused one."""
    try:
        smtp.ehlo()
        if server.starttls:
            if not smtp.has_extn("starttls"):
                return f"the mail server {server.label} does not offer STARTTLS (smtp_starttls = false?)"
            smtp.starttls(context=_tls_context(server))
            smtp.ehlo()
        if server.user and server.password is not None:
            smtp.login(server.user, server.password.get_secret_value())
        code, said = smtp.mail(server.envelope_sender)
        if code != 250:
            return f"the mail server refused the sender {server.envelope_sender}: {_said(code, said)}"
        code, said = smtp.rcpt(to)
        if code not in (250, 251):
            return f"the mail server refused the recipient {to}: {_said(code, said)}"
    except smtplib.SMTPNotSupportedError as exc:
        return f"the mail server {server.label} cannot do that: {exc}"
    except smtplib.SMTPAuthenticationError as exc:
        return f"the mail server refused the login of {server.user}: {_said(exc.smtp_code, exc.smtp_error)}"
    except smtplib.SMTPResponseException as exc:
        return f"the mail server said {_said(exc.smtp_code, exc.smtp_error)}"
    except ssl.SSLError as exc:
        return f"STARTTLS with {server.label} failed: {exc.reason or exc}"
    except (OSError, smtplib.SMTPException) as exc:
        return f"the mail server {server.label} hung up before the message went: {_reason(exc)}"
    return None


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return " ".join(str(text).split())
