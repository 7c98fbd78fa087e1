from __future__ import annotations

from appfleet.core.errors import Conflict, PayloadTooLarge, ValidationFailed


class NotAllowedHere(ValidationFailed):
    default_message = "This kind of file cannot be uploaded for this purpose"


class FileTooLarge(PayloadTooLarge):
    default_message = "The file is larger than uploads may be"


class QuotaExceeded(Conflict):
    default_message = "Your storage is full; delete something first"


class NotReceived(Conflict):
    default_message = "The file has not arrived; upload it, then complete the upload"


class NotAsSigned(ValidationFailed):
    default_message = "The file that arrived is not the one the upload was signed for"
