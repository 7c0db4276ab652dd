"""One typed Settings object; every field documented (environment prefix DUBAN_)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DUBAN_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=Path("var"),
        description="Folder for the SQLite database, kept uploads and job storage.",
    )
    max_upload_mb: int = Field(
        default=100,
        description="Largest input file accepted, in megabytes; larger files are refused with a clear error.",
    )
    import_max_rows: int = Field(
        default=5000,
        ge=1,
        description="Most data rows one imported ledger workbook (.xlsx) may have; a larger one is refused, to be split.",
    )
    ocr_enabled: bool = Field(
        default=True,
        description="Run OCR (rapidocr) on images and on PDF pages without a text layer.",
    )
    ocr_dpi: int = Field(default=200, description="Resolution at which PDF pages are rendered for OCR.")
    unit_aliases_file: Path | None = Field(
        default=None,
        description="Optional user-editable file of unit aliases: one line per unit, names separated by '='.",
    )

    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the database, e.g. postgresql://user@host/db; unset means SQLite in data_dir.",
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis URL for the job queue (e.g. redis://127.0.0.1:6379/0); unset means a SQLite queue in data_dir.",
    )
    queue_immediate: bool = Field(
        default=False,
        description="Run background jobs inline in the calling process instead of on a worker (tests, one-off scripts).",
    )
    near_due_workdays: int = Field(
        default=3,
        ge=0,
        description="A task turns yellow (临期) when at most this many working days remain before its deadline.",
    )

    secret_key: str | None = Field(
        default=None,
        description="Key that signs session cookies; unset means a random key kept in data_dir/secret_key.",
    )
    cookie_secure: bool = Field(
        default=True,
        description="Send the session cookie only over HTTPS (browsers also allow it on http://localhost).",
    )
    session_hours: int = Field(default=12, ge=1, description="A browser session ends after this many hours.")
    login_max_failures: int = Field(
        default=5,
        ge=1,
        description="Failed logins allowed per user name and per client address within login_window_minutes.",
    )
    login_window_minutes: int = Field(
        default=15, ge=1, description="Window for counting failed logins; after it, login is allowed again."
    )

    public_base_url: str | None = Field(
        default=None,
        description="Address users open duban at (e.g. https://duban.example.gov.cn); webhook and e-mail "
        "notifications link to the task under it. Unset: notifications carry no link.",
    )
    notify_max_attempts: int = Field(
        default=6,
        ge=1,
        le=20,
        description="Tries per notification and channel before it is marked failed (waits 1, 5, 15, 60, "
        "240 minutes between tries); failed ones are listed for supervisors to retry.",
    )
    notify_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=120,
        description="Timeout of one webhook POST or SMTP conversation, in seconds.",
    )
    smtp_host: str | None = Field(
        default=None, description="SMTP server for e-mail notifications; unset means e-mail channels fail."
    )
    smtp_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="SMTP port; unset means 465 (ssl), 587 (starttls) or 25 (none).",
    )
    smtp_security: Literal["none", "starttls", "ssl"] = Field(
        default="starttls",
        description="SMTP transport security: ssl (SMTPS), starttls (upgrade a plain connection) or none.",
    )
    smtp_username: str | None = Field(default=None, description="SMTP login user; unset means no login.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP login password.")
    smtp_sender: str | None = Field(
        default=None, description="From address of notification e-mail, e.g. 督办系统 <duban@example.gov.cn>."
    )

    org_name: str = Field(
        default="督查室",
        min_length=1,
        max_length=40,
        description="Issuing office of the Word documents: the red 发文机关标志 (e.g. XX区人民政府督查室).",
    )
    report_signoff: str | None = Field(
        default=None,
        max_length=40,
        description="落款 (the signing office above the date) of the Word documents; unset means org_name.",
    )
    notice_number_prefix: str = Field(
        default="督办",
        min_length=1,
        max_length=10,
        description="Prefix of 督办通知书 numbers, counted per year: 督办〔2026〕N号.",
    )
    circular_number_prefix: str = Field(
        default="督通",
        min_length=1,
        max_length=10,
        description="Prefix of 督查通报 numbers, counted per year: 督通〔2026〕N号.",
    )
    notice_feedback_workdays: int = Field(
        default=5,
        ge=1,
        description="A 督办通知书 asks for a written progress report within this many working days (or by the deadline if sooner).",
    )
    report_contact: str | None = Field(
        default=None,
        max_length=100,
        description="Contact line printed at the end of a 督办通知书, e.g. 联系人：张三，电话：1234567.",
    )
    report_rules_file: Path | None = Field(
        default=None,
        description="TOML file with the 通报表扬/通报批评 rules of the 督查通报; unset means the built-in rules.",
    )

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    @property
    def attachments_dir(self) -> Path:
        """Where files attached to progress reports are kept, content-addressed."""
        return self.data_dir / "attachments"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
