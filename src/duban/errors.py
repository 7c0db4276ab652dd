"""Domain errors. Each carries an HTTP-like status and a message a Chinese-speaking user understands."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error duban reports to a user instead of a traceback."""

    status: int = 400
    code: str = "error"

    def __init__(self, message_zh: str, message_en: str | None = None) -> None:
        self.message_zh = message_zh
        self.message_en = message_en or message_zh
        super().__init__(f"{message_zh} ({self.message_en})" if message_en else message_zh)


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class InvalidTransition(DomainError):
    status = 409
    code = "invalid_transition"


class Rejected(DomainError):
    """Input that cannot be accepted as it is (bad body, bad file)."""

    status = 422
    code = "rejected"


class UnreadableFile(Rejected):
    """A file no reader can turn into text: empty, garbage, corrupt, encrypted, unknown type."""

    code = "unreadable_file"


class EmptyFile(UnreadableFile):
    code = "empty_file"


class FileTooLarge(UnreadableFile):
    status = 413
    code = "file_too_large"


class UnsupportedFileType(UnreadableFile):
    status = 415
    code = "unsupported_file_type"


class EncryptedFile(UnreadableFile):
    code = "encrypted_file"


class CorruptFile(UnreadableFile):
    code = "corrupt_file"
