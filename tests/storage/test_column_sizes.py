"""Every String column's size is the domain's limit for what goes in it, so a value the
domain accepts always fits (PostgreSQL refuses one that does not; SQLite keeps it)."""

from __future__ import annotations

from sqlalchemy import String, Text

from ketamon.domain import fields as size
from ketamon.storage.models import Base

WHO = size.USERNAME_LENGTH
EXPECTED = {
    "clinic_setting": {"key": size.SETTING_KEY_LENGTH, "updated_by": WHO},
    "chair": {"name": size.CHAIR_NAME_LENGTH, "created_by": WHO, "retired_by": WHO},
    "patient": {
        "mrn": size.MRN_LENGTH,
        "full_name": size.PERSON_NAME_LENGTH,
        "created_by": WHO,
    },
    "course": {"kind": size.CODE_LENGTH, "end_kind": size.CODE_LENGTH, "ended_by": WHO},
    "infusion_session": {"phase": size.CODE_LENGTH, "review_status": size.CODE_LENGTH},
    "session_event": {"kind": size.CODE_LENGTH, "actor": WHO},
    "app_user": {
        "username": WHO,
        "full_name": size.PERSON_NAME_LENGTH,
        "credentials": size.CREDENTIALS_LENGTH,
        "roles": size.ROLES_LENGTH,
        "password_hash": size.PASSWORD_HASH_LENGTH,
        "created_by": WHO,
        "public_key": size.HASH_LENGTH,
    },
    "audit_log": {
        "actor": WHO,
        "action": size.AUDIT_ACTION_LENGTH,
        "entity": size.AUDIT_NAME_LENGTH,
        "field": size.AUDIT_NAME_LENGTH,
        "prev_hash": size.HASH_LENGTH,
        "row_hash": size.HASH_LENGTH,
    },
    "vitals_set": {
        "phase": size.CODE_LENGTH,
        "entered_by": WHO,
        "status": size.CODE_LENGTH,
        "acknowledged_by": WHO,
    },
    "side_effect": {
        "kind_key": size.SIDE_EFFECT_KEY_LENGTH,
        "label": size.SIDE_EFFECT_NAME_LENGTH,
        "severity": size.SEVERITY_LENGTH,
        "entered_by": WHO,
        "status": size.CODE_LENGTH,
        "acknowledged_by": WHO,
        "physician_decision_by": WHO,
    },
    "medication_given": {
        "drug": size.DRUG_NAME_LENGTH,
        "unit": size.CODE_LENGTH,
        "route": size.CODE_LENGTH,
        "given_by": WHO,
        "entered_by": WHO,
        "status": size.CODE_LENGTH,
    },
    "dose_record": {
        "lot_number": size.LOT_NUMBER_LENGTH,
        "planned_by": WHO,
        "witness": WHO,
        "completed_by": WHO,
    },
    "discharge_record": {
        "escort_name": size.PERSON_NAME_LENGTH,
        "escort_relationship": size.RELATIONSHIP_LENGTH,
        "escort_phone": size.PHONE_LENGTH,
        "escort_verified_by": WHO,
        "nausea": size.CODE_LENGTH,
        "iv_site": size.CODE_LENGTH,
        "outcome": size.CODE_LENGTH,
        "ama_witness": WHO,
        "completed_by": WHO,
        "updated_by": WHO,
    },
    "signature": {
        "signer": WHO,
        "printed_name": size.PERSON_NAME_LENGTH,
        "credentials": size.CREDENTIALS_LENGTH,
        "meaning": size.MEANING_LENGTH,
        "content_hash": size.HASH_LENGTH,
        "key_fingerprint": size.HASH_LENGTH,
        "signature": size.SIGNATURE_HEX_LENGTH,
        "chain_hash": size.HASH_LENGTH,
    },
    "addendum": {
        "author": WHO,
        "printed_name": size.PERSON_NAME_LENGTH,
        "credentials": size.CREDENTIALS_LENGTH,
        "key_fingerprint": size.HASH_LENGTH,
        "signature": size.SIGNATURE_HEX_LENGTH,
        "chain_hash": size.HASH_LENGTH,
    },
    "user_key": {
        "username": WHO,
        "public_key": size.HASH_LENGTH,
        "kdf_salt": size.HASH_LENGTH,
        "aead_nonce": size.NONCE_HEX_LENGTH,
        "kdf_params": size.KDF_PARAMS_LENGTH,
    },
    "outcome_score": {
        "instrument": size.INSTRUMENT_LENGTH,
        "answers": size.ANSWERS_LENGTH,
        "entered_by": WHO,
        "status": size.CODE_LENGTH,
        "review_decision": size.CODE_LENGTH,
        "review_cssrs": size.CSSRS_LENGTH,
        "reviewed_by": WHO,
    },
}


def test_every_string_column_is_sized_by_the_domain_limit_for_it():
    declared = {
        table.name: {
            c.name: c.type.length
            for c in table.columns
            if isinstance(c.type, String) and not isinstance(c.type, Text)
        }
        for table in Base.metadata.sorted_tables
    }
    declared = {name: cols for name, cols in declared.items() if cols}
    assert declared == EXPECTED
