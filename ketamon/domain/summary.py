"""The discharge summary's content: a frozen snapshot of one session, taken when printing.

Everything the printed summary says comes from here, so the HTML builder is pure and the
same snapshot always prints the same document. Services build it from the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from ketamon.domain.board import SessionSnapshot
from ketamon.domain.discharge import AgainstAdvice, DischargeAnswers, DischargeCheck
from ketamon.domain.dose import DoseRecord
from ketamon.domain.interventions import Medication
from ketamon.domain.outcomes import OutcomeRecord
from ketamon.domain.patients import Patient
from ketamon.domain.review import Addendum, Signature
from ketamon.domain.side_effects import SideEffect
from ketamon.domain.vitals import VitalsSet


@dataclass(frozen=True)
class ClinicHeader:
    name: str
    address: str = ""
    phone: str = ""
    emergency: str = "911"  # the emergency number of the clinic's region (or its setting)


# What the take-home page tells the patient and escort besides the clinic's instructions
# (CLINICAL.md: discharge to an escort with instructions; common effects of ketamine).
NORMAL_AFTER = (
    "Feeling tired, sleepy or a little unsteady for the rest of the day.",
    'Feeling dreamy, "floaty" or not quite yourself for a few hours.',
    "Mild nausea, a mild headache or blurred vision that settles the same day.",
)
CALL_CLINIC_IF = (
    "Vomiting or nausea that does not settle, or you cannot keep fluids down.",
    "A headache that gets worse, or you still feel confused or very drowsy the next morning.",
    "Redness, swelling or pain where the drip was.",
    "You feel very anxious, low or unsafe, or you are worried about anything.",
)
CALL_EMERGENCY_IF = (
    "Chest pain, trouble breathing, fainting, a seizure, or you cannot wake the patient; "
    "thoughts of harming yourself."
)
PHONE_GAP = "clinic_phone"
GAPS = {
    PHONE_GAP: "The clinic's phone number is not set (Settings → Discharge → Clinic phone), "
    "so the summary cannot tell the patient and escort whom to call",
}


@dataclass(frozen=True)
class SessionSummary:
    clinic: ClinicHeader
    session: SessionSnapshot
    date_of_birth: date
    tz: tzinfo  # how times are shown (the clinic's local time)
    printed_at: datetime
    vitals: tuple[VitalsSet, ...] = ()  # current sets, time order
    side_effects: tuple[SideEffect, ...] = ()  # current entries
    medications: tuple[Medication, ...] = ()  # current entries
    outcomes: tuple[OutcomeRecord, ...] = ()  # questionnaires before the infusion (current)
    dose: DoseRecord | None = None
    answers: DischargeAnswers | None = None
    check: DischargeCheck | None = None
    outcome: str | None = None  # 'discharged' | 'ama' | None (not discharged yet)
    ama: AgainstAdvice | None = None
    discharged_by: str = ""  # display name of the discharging nurse
    discharged_at: datetime | None = None
    instructions: str = ""
    next_appointment_at: datetime | None = None
    signature: Signature | None = None
    addenda: tuple[Addendum, ...] = ()
    user_names: dict[str, str] = field(default_factory=dict)  # username -> display name
    patient: Patient | None = None  # the patient's details now (allergy status included)

    def who(self, username: str | None) -> str:
        """The person's display name ("Jo Rivera, RN"); an account no longer on file is
        named "a former staff member", never by its username."""
        if not username:
            return ""
        return self.user_names.get(username, "a former staff member")

    def gaps(self) -> dict[str, str]:
        """What the take-home page needs and the snapshot lacks: setting -> why it matters.
        The printing path asks for it or warns before printing."""
        missing = {}
        if not self.clinic.phone.strip():
            missing[PHONE_GAP] = GAPS[PHONE_GAP]
        return missing


@dataclass(frozen=True)
class RecentSession:
    """A session that ended recently (board's "Recent discharges" list)."""

    session_id: int
    patient_name: str
    mrn: str
    chair_name: str
    ended_at: datetime
    outcome: str  # 'discharged' | 'ama' | 'cancelled'
    review_status: str | None
