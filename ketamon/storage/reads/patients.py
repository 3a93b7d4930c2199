"""Patients as the domain sees them."""

from __future__ import annotations

from ketamon.domain.patients import Patient
from ketamon.storage.models import PatientRow


def to_patient(row: PatientRow) -> Patient:
    return Patient(
        row.id,
        row.mrn,
        row.full_name,
        row.date_of_birth,
        row.weight_kg,
        row.allergies,
        bool(row.no_known_allergies),
        bool(row.spo2_scale2),
        row.version or 0,
    )
