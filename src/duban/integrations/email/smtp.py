"""E-mail over SMTP: one UTF-8 plain-text message per notice to a unit's list of addresses.

The server is global (settings `smtp_*`); a channel holds only its
recipients. `security` is `ssl` (SMTPS, port 465), `starttls` (587) or
`none` (25, for a relay on a closed network); login only when a user name is set.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from duban.errors import Rejected
from duban.integrations.channel import DeliveryError, Notice, SmtpOptions

__all__ = ["MAX_RECIPIENTS", "SmtpMailer", "build_message", "parse_recipients"]

MAX_RECIPIENTS = 50
DEFAULT_PORTS = {"ssl": 465, "starttls": 587, "none": 25}
_ADDRESS = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\"]+$")
_SEPARATORS = re.compile(r"[\s,;，；、]+")


def parse_recipients(text: str) -> list[str]:
    """Addresses separated by commas, semicolons or spaces (full-width too), each checked, duplicates dropped."""
    addresses = list(dict.fromkeys(a for a in _SEPARATORS.split(text.strip()) if a))
    if not addresses:
        raise Rejected("请填写至少一个收件邮箱", "no e-mail address")
    bad = [a for a in addresses if not _ADDRESS.match(a)]
    if bad:
        raise Rejected(f"邮箱地址格式不对：{'、'.join(bad[:5])}", f"bad e-mail addresses: {bad[:5]}")
    if len(addresses) > MAX_RECIPIENTS:
        raise Rejected(f"收件人最多{MAX_RECIPIENTS}个", f"more than {MAX_RECIPIENTS} recipients")
    return addresses


def build_message(notice: Notice, sender: str, recipients: list[str]) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = notice.title
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(notice.created_at.timestamp(), localtime=False)
    message["Message-ID"] = make_msgid(domain="duban.local")
    message.set_content(notice.text(), charset="utf-8")
    return message


class SmtpMailer:
    def __init__(self, recipients: list[str], smtp: SmtpOptions, timeout: float) -> None:
        self.recipients = recipients
        self.smtp = smtp
        self.timeout = timeout

    def _connect(self, host: str) -> smtplib.SMTP:
        port = self.smtp.port or DEFAULT_PORTS.get(self.smtp.security, 25)
        if self.smtp.security == "ssl":
            return smtplib.SMTP_SSL(host, port, timeout=self.timeout, context=ssl.create_default_context())
        return smtplib.SMTP(host, port, timeout=self.timeout)

    def send(self, notice: Notice) -> None:
        host, sender = self.smtp.host, self.smtp.sender
        if not host:
            raise DeliveryError("未配置邮件服务器（DUBAN_SMTP_HOST）")
        if not sender:
            raise DeliveryError("未配置发件人地址（DUBAN_SMTP_SENDER）")
        message = build_message(notice, sender, self.recipients)
        try:
            with self._connect(host) as server:  # QUIT and close however it ends
                if self.smtp.security == "starttls":
                    server.starttls(context=ssl.create_default_context())
                if self.smtp.username:
                    server.login(self.smtp.username, self.smtp.password or "")
                server.send_message(message)
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"邮件服务器登录失败（{exc.smtp_code}）") from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"邮件服务器拒收全部收件人：{'、'.join(exc.recipients)}") from exc
        except smtplib.SMTPResponseException as exc:
            text = (
                exc.smtp_error.decode(errors="replace")
                if isinstance(exc.smtp_error, bytes)
                else exc.smtp_error
            )
            raise DeliveryError(f"邮件服务器拒绝：{exc.smtp_code} {text}"[:300]) from exc
        except smtplib.SMTPException as exc:
            raise DeliveryError(f"邮件发送失败：{exc}"[:300]) from exc
        except TimeoutError as exc:
            raise DeliveryError(f"连接邮件服务器 {host} 超时（{self.timeout:g} 秒）") from exc
        except OSError as exc:
            raise DeliveryError(f"无法连接邮件服务器 {host}：{exc}"[:300]) from exc
