"""The tables. Change them only together with a migration in migrations/versions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    false,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

from ketamon.domain import fields as size  # column sizes: one place, shared with validation
from ketamon.domain.statuses import RecordStatus
from ketamon.storage.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Versioned:
    """A record a user edits from a view: `version` counts its saves (storage/versions.py
    raises it), the UPDATE is made WHERE version = the one read, and a service refuses a
    save from a view loaded at an older version (migration 0011)."""

    # No Python default: a plain INSERT (a migration's test, the database itself) gets the
    # server's 1; rows added through the ORM get 1 from storage/versions.py.
    version: Mapped[int] = mapped_column(Integer, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        table = cls.__table__  # type: ignore[attr-defined]
        return {"version_id_col": table.c.version, "version_id_generator": False}


class ClinicSetting(Versioned, Base):
    __tablename__ = "clinic_setting"
    key: Mapped[str] = mapped_column(String(size.SETTING_KEY_LENGTH), primary_key=True)
    value: Mapped[str] = mapped_column(Text)  # JSON
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(size.USERNAME_LENGTH))


class ChairRow(Versioned, Base):
    __tablename__ = "chair"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(size.CHAIR_NAME_LENGTH))
    position: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(size.USERNAME_LENGTH))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    retired_by: Mapped[str | None] = mapped_column(String(size.USERNAME_LENGTH), nullable=True)


class PatientRow(Versioned, Base):
    __tablename__ = "patient"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mrn: Mapped[str] = mapped_column(String(size.MRN_LENGTH), unique=True)
    full_name: Mapped[str] = mapped_column(String(size.PERSON_NAME_LENGTH), index=True)
    date_of_birth: Mapped[date] = mapped_column(Date)
    weight_kg: Mapped[float] = mapped_column(Float)
    allergies: Mapped[str] = mapped_column(Text, default="")
    # An explicit "No known drug allergies" (an empty `allergies` alone is "not recorded").
    no_known_allergies: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # NEWS2 SpO2 scale 2 (hypercapnic respiratory failure), set for this patient.
    spo2_scale2: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The patient's course plan (a physician's, with a reason); NULL: the clinic's setting.
    plan_series_length: Mapped[int | None] = mapped_column(Integer, nullable=True)
    plan_interval_min_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    plan_interval_max_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(size.USERNAME_LENGTH))
    __table_args__ = (
        CheckConstraint("weight_kg >= 20 AND weight_kg <= 350", name="weight_range"),
        # "km-1" and "KM-1" are one patient on both backends (migration 0010)
        Index("uq_patient_mrn_casefold", func.lower(mrn), unique=True),
    )


class CourseRow(Base):
    __tablename__ = "course"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    kind: Mapped[str] = mapped_column(String(size.CODE_LENGTH))  # initial | maintenance
    planned_sessions: Mapped[int | None] = mapped_column(Integer, nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Closed with a reason (migration 0012): completed, stopped for non-response, stopped by
    # the patient, other. The next check-in opens a new initial series.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    end_kind: Mapped[str | None] = mapped_column(String(size.CODE_LENGTH), nullable=True)
    end_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    ended_by: Mapped[str | None] = mapped_column(String(size.USERNAME_LENGTH), nullable=True)
    __table_args__ = (CheckConstraint("kind IN ('initial', 'maintenance')", name="kind"),)


class SessionRow(Base):
    """One infusion session. `phase` mirrors the last event; the events are the record.

    active_chair_id / active_patient_id equal chair_id / patient_id while the session is
    active and NULL after: their UNIQUE constraints make the database itself refuse a
    second active session on a chair or for a patient, even from another workstation.
    """

    __tablename__ = "infusion_session"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    chair_id: Mapped[int] = mapped_column(ForeignKey("chair.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    number_in_course: Mapped[int] = mapped_column(Integer)
    target_minutes: Mapped[int] = mapped_column(Integer)
    phase: Mapped[str] = mapped_column(String(size.CODE_LENGTH))
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    active_chair_id: Mapped[int | None] = mapped_column(
        ForeignKey("chair.id"), unique=True, nullable=True
    )
    active_patient_id: Mapped[int | None] = mapped_column(
        ForeignKey("patient.id"), unique=True, nullable=True
    )
    # NULL while active; 'awaiting_review' once discharged, cancelled or left AMA.
    review_status: Mapped[str | None] = mapped_column(
        String(size.CODE_LENGTH), nullable=True, index=True
    )
    events: Mapped[list[SessionEventRow]] = relationship(
        order_by="SessionEventRow.seq", lazy="raise"
    )
    __table_args__ = (
        CheckConstraint(
            "phase IN ('checked_in', 'infusing', 'recovery', 'discharged', 'cancelled')",
            name="phase",
        ),
        CheckConstraint("target_minutes BETWEEN 5 AND 240", name="target_range"),
        # The physician's review list: filtered by status, newest first.
        Index("ix_infusion_session_review_list", "review_status", "checked_in_at"),
    )


class SessionEventRow(Base):
    __tablename__ = "session_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("infusion_session.id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(size.CODE_LENGTH))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(size.USERNAME_LENGTH))
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rate_ml_h: Mapped[float | None] = mapped_column(Float, nullable=True)  # rate changes
    __table_args__ = (Index("ix_session_event_session_seq", "session_id", "seq", unique=True),)


class UserRow(Versioned, Base):
    """A person who signs in. Never deleted: deactivated."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(size.USERNAME_LENGTH), unique=True)
    full_name: Mapped[str] = mapped_column(String(size.PERSON_NAME_LENGTH))
    credentials: Mapped[str] = mapped_column(String(size.CREDENTIALS_LENGTH), default="")
    roles: Mapped[str] = mapped_column(String(size.ROLES_LENGTH))  # comma-separated Role values
    password_hash: Mapped[str] = mapped_column(String(size.PASSWORD_HASH_LENGTH))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(size.USERNAME_LENGTH))
    # The signing key in use (hex of the raw Ed25519 public key); None until the user has
    # chosen their own password (a new account, or after an administrator's reset).
    public_key: Mapped[str | None] = mapped_column(String(size.HASH_LENGTH), nullable=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)


class UserKeyRow(Base):
    """A signer's Ed25519 key pair: the public key in clear, the private key sealed with
    AES-GCM under a key derived (argon2id, parameters below) from the user's password.

    Rows are never deleted and their public key never changes (triggers), so an old
    signature still finds the key it was made with; a password change re-seals the same
    private key (new salt, nonce and ciphertext)."""

    __tablename__ = "user_key"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("app_user.username"), index=True)
    public_key: Mapped[str] = mapped_column(String(size.HASH_LENGTH), unique=True)
    sealed_private_key: Mapped[str] = mapped_column(Text)  # hex: AES-GCM ciphertext + tag
    kdf_salt: Mapped[str] = mapped_column(String(size.HASH_LENGTH))  # hex
    aead_nonce: Mapped[str] = mapped_column(String(size.NONCE_HEX_LENGTH))  # hex
    kdf_params: Mapped[str] = mapped_column(String(size.KDF_PARAMS_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditRow(Base):
    """Append-only audit trail (21 CFR 11.10(e)); triggers refuse UPDATE and DELETE.

    row_hash = sha256 over this row's content and the previous row's hash, so a change to
    any row, or a row removed, breaks the chain from there on.
    """

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(size.USERNAME_LENGTH))
    action: Mapped[str] = mapped_column(String(size.AUDIT_ACTION_LENGTH))
    entity: Mapped[str] = mapped_column(String(size.AUDIT_NAME_LENGTH))
    entity_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    field: Mapped[str] = mapped_column(String(size.AUDIT_NAME_LENGTH), default="")
    old_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    new_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(size.HASH_LENGTH))
    row_hash: Mapped[str] = mapped_column(String(size.HASH_LENGTH))
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)


class VitalsRow(Base):
    """One vitals set. A correction is a new row (corrects_id) and the old one is marked
    'corrected'; a void marks the row 'voided' with a reason. Rows are never deleted."""

    __tablename__ = "vitals_set"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("infusion_session.id"), index=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    phase: Mapped[str] = mapped_column(String(size.CODE_LENGTH))
    systolic: Mapped[int | None] = mapped_column(Integer, nullable=True)
    diastolic: Mapped[int | None] = mapped_column(Integer, nullable=True)
    heart_rate: Mapped[int | None] = mapped_column(Integer, nullable=True)
    spo2: Mapped[int | None] = mapped_column(Integer, nullable=True)
    resp_rate: Mapped[int | None] = mapped_column(Integer, nullable=True)
    temperature: Mapped[float | None] = mapped_column(Float, nullable=True)
    pain: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sedation: Mapped[int | None] = mapped_column(Integer, nullable=True)
    dissociation: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cadss: Mapped[int | None] = mapped_column(Integer, nullable=True)
    oxygen: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by: Mapped[str] = mapped_column(String(size.USERNAME_LENGTH))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(
        String(size.CODE_LENGTH), default=RecordStatus.CURRENT.value
    )
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("vitals_set.id"), nullable=True)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    acknowledged_by: Mapped[str | None] = mapped_column(String(size.USERNAME_LENGTH), nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    __table_args__ = (
        CheckConstraint("status IN ('current', 'corrected', 'voided')", name="status"),
        CheckConstraint(
            "phase IN ('baseline', 'infusion', 'recovery', 'pre_discharge')", name="phase"
        ),
        CheckConstraint(
            "diastolic IS NULL OR systolic IS NULL OR diastolic < systolic", name="bp_order"
        ),
    )


class SideEffectRow(Versioned, Base):
    """A side effect ticked during a session. `label` keeps the catalog name as it was, so a
    renamed or retired entry still reads right on old records. Voided, never deleted."""

    __tablename__ = "side_effect"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("infusion_session.id"), index=True)
    kind_key: Mapped[str] = mapped_column(String(size.SIDE_EFFECT_KEY_LENGTH))
    label: Mapped[str] = mapped_column(String(size.SIDE_EFFECT_NAME_LENGTH))
    other_text: Mapped[str] = mapped_column(Text, default="")
    onset_at: Mapped[datetime] = mapped_column(UTCDateTime)
    severity: Mapped[str] = mapped_column(String(size.SEVERITY_LENGTH))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by: Mapped[str] = mapped_column(String(size.USERNAME_LENGTH))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(
        String(size.CODE_LENGTH), default=RecordStatus.CURRENT.value
    )
    status_reason: Mapped[str] = mapped_column(Text, default="")
    acknowledged_by: Mapped[str | None] = mapped_column(String(size.USERNAME_LENGTH), nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # A physician's documented decision to let the patient go with this SEVERE effect open.
    physician_decision: Mapped[str] = mapped_column(Text, default="", server_default="")
    physician_decision_by: Mapped[str | None] = mapped_column(
        String(size.USERNAME_LENGTH), nullable=True
    )
    physician_decision_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    __table_args__ = (
        CheckConstraint("severity IN ('mild', 'moderate', 'severe')", name="severity"),
        CheckConstraint("status IN ('current', 'voided')", name="status"),
    )


class MedicationRow(Base):
    """A medication given during a session. Voided with a reason, never deleted."""

    __tablename__ = "medication_given"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("infusion_session.id"), index=True)
    drug: Mapped[str] = mapped_column(String(size.DRUG_NAME_LENGTH))
    dose: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(size.CODE_LENGTH))
    route: Mapped[str] = mapped_column(String(size.CODE_LENGTH))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime)
    given_by: Mapped[str] = mapped_column(String(size.USERNAME_LENGTH))
    side_effect_id: Mapped[int | None] = mapped_column(ForeignKey("side_effect.id"), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by: Mapped[str] = mapped_column(String(size.USERNAME_LENGTH))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(
        String(size.CODE_LENGTH), default=RecordStatus.CURRENT.value
    )
    status_reason: Mapped[str] = mapped_column(Text, default="")
    # Why it was given although its name appears in the patient's allergies ("" = no match).
    allergy_override_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    __table_args__ = (
        CheckConstraint("dose > 0", name="dose_positive"),
        CheckConstraint("status IN ('current', 'voided')", name="status"),
    )


class DoseRecordRow(Versioned, Base):
    """The controlled-substance record of one session: the plan, then what was given and
    wasted, with the witness to the waste. Changes are audited field by field."""

    __tablename__ = "dose_record"
    session_id: Mapped[int] = mapped_column(ForeignKey("infusion_session.id"), primary_key=True)
    weight_kg: Mapped[float] = mapped_column(Float)
    mg_per_kg: Mapped[float] = mapped_column(Float)
    planned_mg: Mapped[float] = mapped_column(Float)
    concentration_mg_ml: Mapped[float] = mapped_column(Float)
    planned_rate_ml_h: Mapped[float] = mapped_column(Float)
    lot_number: Mapped[str] = mapped_column(String(size.LOT_NUMBER_LENGTH))
    planned_by: Mapped[str] = mapped_column(String(size.USERNAME_LENGTH))
    planned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actual_mg: Mapped[float | None] = mapped_column(Float, nullable=True)
    wasted_mg: Mapped[float | None] = mapped_column(Float, nullable=True)
    over_plan_reason: Mapped[str] = mapped_column(Text, default="")
    witness: Mapped[str | None] = mapped_column(String(size.USERNAME_LENGTH), nullable=True)
    completed_by: Mapped[str | None] = mapped_column(String(size.USERNAME_LENGTH), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    __table_args__ = (
        CheckConstraint("weight_kg >= 20 AND weight_kg <= 350", name="weight_range"),
        CheckConstraint("mg_per_kg > 0", name="mg_per_kg_positive"),
        CheckConstraint("concentration_mg_ml > 0", name="concentration_positive"),
        CheckConstraint("actual_mg IS NULL OR actual_mg >= 0", name="actual_not_negative"),
        CheckConstraint("wasted_mg IS NULL OR wasted_mg >= 0", name="wasted_not_negative"),
    )


class DischargeRow(Versioned, Base):
    """The discharge checklist of one session, saved as the nurse fills it (nothing typed is
    lost), the escort plan from check-in, and how the patient left (outcome)."""

    __tablename__ = "discharge_record"
    session_id: Mapped[int] = mapped_column(ForeignKey("infusion_session.id"), primary_key=True)
    escort_name: Mapped[str] = mapped_column(String(size.PERSON_NAME_LENGTH), default="")
    escort_relationship: Mapped[str] = mapped_column(String(size.RELATIONSHIP_LENGTH), default="")
    escort_phone: Mapped[str] = mapped_column(String(size.PHONE_LENGTH), default="")
    escort_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    escort_verified_by: Mapped[str | None] = mapped_column(
        String(size.USERNAME_LENGTH), nullable=True
    )
    oriented: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    steady_gait: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    nausea: Mapped[str | None] = mapped_column(String(size.CODE_LENGTH), nullable=True)
    pain: Mapped[int | None] = mapped_column(Integer, nullable=True)
    iv_site: Mapped[str | None] = mapped_column(String(size.CODE_LENGTH), nullable=True)
    instructions_acknowledged: Mapped[bool] = mapped_column(Boolean, default=False)
    instructions_text: Mapped[str] = mapped_column(Text, default="")
    next_appointment_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    padss_total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(size.CODE_LENGTH), nullable=True)
    ama_reason: Mapped[str] = mapped_column(Text, default="")
    ama_witness: Mapped[str | None] = mapped_column(String(size.USERNAME_LENGTH), nullable=True)
    ama_escort_present: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    completed_by: Mapped[str | None] = mapped_column(String(size.USERNAME_LENGTH), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_by: Mapped[str] = mapped_column(String(size.USERNAME_LENGTH))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (
        CheckConstraint("outcome IS NULL OR outcome IN ('discharged', 'ama')", name="outcome"),
        CheckConstraint("pain IS NULL OR (pain >= 0 AND pain <= 10)", name="pain_range"),
    )


class SignatureRow(Base):
    """A physician's electronic signature of one session (21 CFR 11.50/11.70): who, printed
    name with credentials, when, meaning, and the hash of the content signed."""

    __tablename__ = "signature"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("infusion_session.id"), unique=True)
    signer: Mapped[str] = mapped_column(String(size.USERNAME_LENGTH))
    printed_name: Mapped[str] = mapped_column(String(size.PERSON_NAME_LENGTH))
    credentials: Mapped[str] = mapped_column(String(size.CREDENTIALS_LENGTH), default="")
    meaning: Mapped[str] = mapped_column(String(size.MEANING_LENGTH))
    comment: Mapped[str] = mapped_column(Text, default="")
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    content_hash: Mapped[str] = mapped_column(String(size.HASH_LENGTH))
    # The digital signature (None on signatures made before migration 0007).
    key_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # user_key.id
    key_fingerprint: Mapped[str | None] = mapped_column(String(size.HASH_LENGTH), nullable=True)
    signature: Mapped[str | None] = mapped_column(String(size.SIGNATURE_HEX_LENGTH), nullable=True)
    payload_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    chain_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    chain_hash: Mapped[str | None] = mapped_column(String(size.HASH_LENGTH), nullable=True)


class AddendumRow(Base):
    """Text added to a signed session, shown under the signature. Never changed or deleted."""

    __tablename__ = "addendum"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("infusion_session.id"), index=True)
    author: Mapped[str] = mapped_column(String(size.USERNAME_LENGTH))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    printed_name: Mapped[str] = mapped_column(String(size.PERSON_NAME_LENGTH), server_default="")
    credentials: Mapped[str] = mapped_column(String(size.CREDENTIALS_LENGTH), server_default="")
    # Signed like a signature (None on addenda added before migration 0007).
    key_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # user_key.id
    key_fingerprint: Mapped[str | None] = mapped_column(String(size.HASH_LENGTH), nullable=True)
    signature: Mapped[str | None] = mapped_column(String(size.SIGNATURE_HEX_LENGTH), nullable=True)
    payload_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    chain_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    chain_hash: Mapped[str | None] = mapped_column(String(size.HASH_LENGTH), nullable=True)


class OutcomeRow(Base):
    """One questionnaire (PHQ-9, GAD-7, PCL-5, pain) answered before an infusion (session_id)
    or at a follow-up visit without one (session_id NULL). The item answers are kept; the
    total is stored as scored by ketamon.domain.outcomes. A correction is a new row
    (corrects_id) and the old one is marked 'corrected'; a void keeps the row with a reason.

    A positive PHQ-9 item 9 is reviewed once, on this row: the clinician's decision
    (proceed, delay, escalate), note and optional C-SSRS screen (migration 0012)."""

    __tablename__ = "outcome_score"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"), nullable=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("infusion_session.id"), nullable=True, index=True
    )
    instrument: Mapped[str] = mapped_column(String(size.INSTRUMENT_LENGTH))
    answers: Mapped[str] = mapped_column(String(size.ANSWERS_LENGTH))
    total: Mapped[int] = mapped_column(Integer)
    self_completed: Mapped[bool] = mapped_column(Boolean, default=False)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    entered_by: Mapped[str] = mapped_column(String(size.USERNAME_LENGTH))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(
        String(size.CODE_LENGTH), default=RecordStatus.CURRENT.value
    )
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("outcome_score.id"), nullable=True)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    review_decision: Mapped[str | None] = mapped_column(String(size.CODE_LENGTH), nullable=True)
    review_note: Mapped[str] = mapped_column(Text, default="")
    review_cssrs: Mapped[str | None] = mapped_column(String(size.CSSRS_LENGTH), nullable=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(size.USERNAME_LENGTH), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    __table_args__ = (
        CheckConstraint("instrument IN ('PHQ-9', 'GAD-7', 'PCL-5', 'Pain NRS')", name="instrument"),
        CheckConstraint("total >= 0", name="total"),
        CheckConstraint("status IN ('current', 'corrected', 'voided')", name="status"),
        CheckConstraint(
            "review_decision IS NULL OR review_decision IN ('proceed', 'delay', 'escalate')",
            name="review_decision",
        ),
        Index("ix_outcome_score_patient_taken", "patient_id", "taken_at"),
    )
