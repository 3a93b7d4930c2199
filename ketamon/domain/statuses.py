"""The status of a recorded entry (vitals set, side effect, medication given).

An entry is never deleted: it is CURRENT until a correction replaces it (CORRECTED, vitals
sets only) or it is VOIDED with a reason. The values are the strings stored in the
database; the labels are how every screen and report names them.
"""

from __future__ import annotations

from enum import StrEnum


class RecordStatus(StrEnum):
    CURRENT = "current"
    CORRECTED = "corrected"  # replaced by a correction (vitals sets)
    VOIDED = "voided"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


# VOIDED in capitals so it does not rely on the strike-through alone
_STATUS_LABELS = {
    RecordStatus.CURRENT: "current",
    RecordStatus.CORRECTED: "corrected",
    RecordStatus.VOIDED: "VOIDED",
}
