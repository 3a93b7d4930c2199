"""Digital signatures against an attacker who holds the database file but not the signer's
password: raw SQL with the lock triggers dropped, the audit trail re-hashed, forged keys.
Each tampering must read as SIGNATURE INVALID (and in `check_signatures`); the password
lifecycle (own change, administrator's reset) keeps old signatures valid and never lets a
password someone else knows sign."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from ketamon.domain.actors import Actor
from ketamon.domain.errors import DomainError
from ketamon.domain.review import PAYLOAD_VERSION, content_hash
from ketamon.services import keys
from ketamon.services import review as review_module
from ketamon.services.review import ReviewService
from ketamon.services.signatures import (
    ADDED_AFTER_HASH_SIGNATURES,
    not_covered,
    session_content,
    signature_payload,
)
from ketamon.services.users import CHOOSE_OWN_PASSWORD
from ketamon.storage.audit import GENESIS, row_hash
from ketamon.storage.models import SignatureRow, UserKeyRow
from tests.conftest import NURSE, PASSWORD, TEMPORARY_PASSWORD, add_user, draft
from tests.reports.conftest import discharged_session

pytestmark = pytest.mark.both_backends

DOC = Actor("dr.patel", "Priya Patel, MD")
NEW_PASSWORD = "a different long password"


@pytest.fixture(autouse=True)
def doctor(clinic):
    return add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician", PASSWORD)


@pytest.fixture
def review(clinic):
    return ReviewService(clinic.db, clinic.clock)


@pytest.fixture
def signed(clinic, clock, review):
    s = discharged_session(clinic, clock, sets=12)  # systolics 120..129
    review.sign(
        DOC,
        s.id,
        PASSWORD,
        "Reviewed and approved",
        "Uneventful",
        reviewed=review.record_digest(s.id),
    )
    assert review.signature(s.id).valid and review.check_signatures() == []
    return s


class Attacker:
    """Raw SQL on the file, as someone with the database but no password would use it."""

    def __init__(self, clinic) -> None:
        self.raw = sqlite3.connect(str(clinic.db.path))
        self.dropped: list[str] = []

    def drop_triggers(self) -> None:
        """Dropped for good (verify then also names each missing protection: `_trail_only`
        leaves those out, to show what the trail alone says)."""
        triggers = self.raw.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        for name, sql in triggers.fetchall():
            self.raw.execute(f"DROP TRIGGER {name}")
            self.dropped.append(sql)

    def update(self, table: str, row_id: int, field: str, value: object) -> None:
        """Change one field and append a correctly re-hashed audit row saying so, so the
        audit trail's own verification finds nothing."""
        (old,) = self.raw.execute(f"SELECT {field} FROM {table} WHERE id = ?", (row_id,)).fetchone()
        self.raw.execute(f"UPDATE {table} SET {field} = ? WHERE id = ?", (value, row_id))
        self.audit("update", table, row_id, field, old, value)

    def audit(
        self, action: str, entity: str, entity_id: int, field: str, old, new, actor="dr.patel"
    ) -> None:
        seq, prev, at = self.raw.execute(
            "SELECT seq, row_hash, at FROM audit_log ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        when = datetime.fromisoformat(at).replace(tzinfo=UTC)
        row = {
            "seq": seq + 1, "at": when, "actor": actor, "action": action,
            "entity": entity, "entity_id": entity_id, "field": field,
            "old_value": None if old is None else str(old),
            "new_value": None if new is None else str(new), "reason": "",
        }  # fmt: skip
        digest = row_hash(row, prev)
        self.raw.execute(
            "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, field, "
            "old_value, new_value, reason, prev_hash, row_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                row["seq"], at, row["actor"], action, entity, entity_id, field,
                row["old_value"], row["new_value"], "", prev, digest,
            ),
        )  # fmt: skip

    def insert_key(self, username: str, sealed: keys.SealedKey, at: str) -> int:
        cursor = self.raw.execute(
            "INSERT INTO user_key (username, public_key, sealed_private_key, kdf_salt, "
            "aead_nonce, kdf_params, created_at) VALUES (?,?,?,?,?,?,?)",
            (username, sealed.public_key, sealed.sealed_private_key, sealed.kdf_salt,
             sealed.aead_nonce, sealed.kdf_params, at),
        )  # fmt: skip
        key_id = cursor.lastrowid
        created = datetime.fromisoformat(at).replace(tzinfo=UTC).isoformat()
        for field, value in (
            ("id", key_id), ("username", username), ("public_key", sealed.public_key),
            ("sealed_private_key", "(changed)"), ("kdf_salt", sealed.kdf_salt),
            ("aead_nonce", sealed.aead_nonce), ("kdf_params", sealed.kdf_params),
            ("created_at", created),
        ):  # fmt: skip
            self.audit("create", "user_key", key_id, field, None, value)
        return key_id

    def close(self) -> None:
        self.raw.commit()
        self.raw.close()


def _cancelled_session(clinic):
    """A second session to sign: cancelled before dosing."""
    patient = clinic.patients.register(NURSE, draft("KM-30002", "Grace Hopper"))
    s = clinic.sessions.check_in(NURSE, clinic.chairs.all()[1].id, patient.id, 40)
    clinic.sessions.cancel(NURSE, s.id, "Unwell before dosing")
    return s


def _attack(clinic):
    attacker = Attacker(clinic)
    attacker.drop_triggers()
    return attacker


def _trail_only(clinic) -> list[str]:
    """What verify finds in the trail itself: not the signatures, not the dropped triggers."""
    return [
        p.text
        for p in clinic.audit.verify()
        if not p.text.startswith("SIGNATURE INVALID") and "protection missing" not in p.text
    ]


def _invalid(clinic, review, session_id: int, words: str) -> None:
    signature = review.signature(session_id)
    assert not signature.valid
    assert signature.verdict.startswith("SIGNATURE INVALID: ")
    assert words in signature.problem
    assert any(f"session {session_id}" in p and words in p for p in review.check_signatures())
    # The forger re-hashed the trail: the trail alone finds nothing, only the key tells.
    assert _trail_only(clinic) == []


@pytest.mark.sqlite_only(
    reason="an attacker with the SQLite file: raw sqlite3 on it, triggers dropped"
)
def test_a_signed_systolic_changed_127_to_118_with_the_trail_rehashed_is_invalid(
    clinic, review, signed
):
    (set_id,) = [v.id for v in clinic.vitals.for_session(signed.id) if v.values.systolic == 127]
    attacker = _attack(clinic)
    attacker.update("vitals_set", set_id, "systolic", 118)
    # ... and the signature's stored digest recomputed, as the forger did
    (sig_id,) = attacker.raw.execute("SELECT id FROM signature").fetchone()
    attacker.update("signature", sig_id, "content_hash", "0" * 64)
    attacker.close()
    _invalid(clinic, review, signed.id, "the signed record changed after signing")


@pytest.mark.parametrize(
    ("field", "value"),
    [("full_name", "Mary Gonzales"), ("mrn", "KM-99999"), ("date_of_birth", "1981-05-17")],
)
@pytest.mark.sqlite_only(
    reason="an attacker with the SQLite file: raw sqlite3 on it, triggers dropped"
)
def test_the_patients_identity_is_signed(clinic, review, signed, field, value):
    attacker = _attack(clinic)
    attacker.update("patient", signed.patient_id, field, value)
    attacker.close()
    _invalid(clinic, review, signed.id, "the signed record changed after signing")


@pytest.mark.parametrize(
    ("field", "value"),
    [("printed_name", "Pat Forger"), ("credentials", "DO"), ("meaning", "Reviewed")],
)
@pytest.mark.sqlite_only(
    reason="an attacker with the SQLite file: raw sqlite3 on it, triggers dropped"
)
def test_the_signers_printed_name_credentials_and_meaning_are_signed(
    clinic, review, signed, field, value
):
    attacker = _attack(clinic)
    (sig_id,) = attacker.raw.execute("SELECT id FROM signature").fetchone()
    attacker.update("signature", sig_id, field, value)
    attacker.close()
    _invalid(clinic, review, signed.id, "the signed record changed after signing")


def _resign_with(clinic, session_id: int, key_id: int, private, *, chain=None) -> None:
    """Re-sign the stored payload with an attacker's key and point the signature at it."""
    with clinic.db.transaction(write=False) as session:
        row = session.scalars(select(SignatureRow).filter_by(session_id=session_id)).one()
        session.expunge(row)
    row.key_id, row.key_fingerprint = key_id, None
    with clinic.db.transaction(write=False) as session:
        public = session.get(UserKeyRow, key_id).public_key
        row.key_fingerprint = keys.fingerprint(public)
        if chain is not None:
            row.chain_seq, row.chain_hash = chain
        signature = keys.sign(private, signature_payload(session, row))
    attacker = Attacker(clinic)
    for field, value in (
        ("key_id", key_id),
        ("key_fingerprint", row.key_fingerprint),
        ("chain_seq", row.chain_seq),
        ("chain_hash", row.chain_hash),
        ("signature", signature),
    ):
        attacker.update("signature", row.id, field, value)
    attacker.close()


@pytest.mark.sqlite_only(
    reason="an attacker with the SQLite file: raw sqlite3 on it, triggers dropped"
)
def test_a_forged_key_row_for_the_signer_with_a_resigned_payload_is_invalid(clinic, review, signed):
    attacker = _attack(clinic)
    forged = keys.new_key("dr.patel", "attacker's password", keys.TEST_KDF)
    key_id = attacker.insert_key("dr.patel", forged, "2026-03-02 14:00:00.000000")
    head = attacker.raw.execute(
        "SELECT seq, row_hash FROM audit_log ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    attacker.close()
    private = keys.unseal("dr.patel", forged, "attacker's password")
    # Even with the chain head moved past the forged key, the signature's own creation in
    # the trail came earlier than that key.
    _resign_with(clinic, signed.id, key_id, private, chain=head)
    _invalid(clinic, review, signed.id, "the signing key entered the audit trail after")


@pytest.mark.sqlite_only(
    reason="an attacker with the SQLite file: raw sqlite3 on it, triggers dropped"
)
def test_the_public_key_replaced_in_place_is_invalid(clinic, review, signed):
    attacker = _attack(clinic)
    (key_id, _public) = attacker.raw.execute(
        "SELECT id, public_key FROM user_key WHERE username = 'dr.patel'"
    ).fetchone()
    forged = keys.new_key("dr.patel", "attacker's password", keys.TEST_KDF)
    attacker.update("user_key", key_id, "public_key", forged.public_key)
    attacker.close()
    private = keys.unseal("dr.patel", forged, "attacker's password")
    _resign_with(clinic, signed.id, key_id, private)
    _invalid(clinic, review, signed.id, "the signing key was changed after it was made")


@pytest.mark.sqlite_only(
    reason="an attacker with the SQLite file: raw sqlite3 on it, triggers dropped"
)
def test_a_signature_pointed_at_another_users_key_is_invalid(clinic, review, signed):
    attacker = _attack(clinic)
    (nurse_key,) = attacker.raw.execute(
        "SELECT id FROM user_key WHERE username = 'nurse.jo'"
    ).fetchone()
    (sig_id,) = attacker.raw.execute("SELECT id FROM signature").fetchone()
    attacker.update("signature", sig_id, "key_id", nurse_key)
    attacker.close()
    _invalid(clinic, review, signed.id, "is not dr.patel's")


@pytest.mark.sqlite_only(
    reason="an attacker with the SQLite file: raw sqlite3 on it, triggers dropped"
)
def test_an_audit_trail_rewritten_before_the_signing_is_caught_by_the_chain_head(
    clinic, review, signed
):
    attacker = _attack(clinic)
    # Rewrite one early row and re-hash the whole chain from there (no secret needed).
    rows = attacker.raw.execute(
        "SELECT seq, at, actor, action, entity, entity_id, field, old_value, new_value, "
        "reason FROM audit_log ORDER BY seq"
    ).fetchall()
    prev = GENESIS
    for values in rows:
        row = dict(
            zip(
                ("seq", "at", "actor", "action", "entity", "entity_id", "field",
                 "old_value", "new_value", "reason"),
                values,
                strict=True,
            )
        )  # fmt: skip
        if row["seq"] == 3:
            row["reason"] = "rewritten"
        at = row["at"]
        row["at"] = datetime.fromisoformat(at).replace(tzinfo=UTC)
        digest = row_hash(row, prev)
        attacker.raw.execute(
            "UPDATE audit_log SET reason = ?, prev_hash = ?, row_hash = ? WHERE seq = ?",
            (row["reason"], prev, digest, row["seq"]),
        )
        prev = digest
    attacker.close()
    assert _trail_only(clinic) == []
    signature = review.signature(signed.id)
    assert not signature.valid
    assert "the audit trail up to the signing was rewritten" in signature.problem


def test_a_password_change_keeps_the_key_and_old_signatures_valid(clinic, clock, review, signed):
    before = review.signature(signed.id).key_fingerprint
    with pytest.raises(DomainError, match="different"):
        clinic.users.change_password("dr.patel", PASSWORD, PASSWORD)
    clinic.users.change_password("dr.patel", PASSWORD, NEW_PASSWORD)
    assert review.signature(signed.id).valid
    clock.advance(hours=1)
    second = _cancelled_session(clinic)
    with pytest.raises(DomainError):  # the old password no longer signs
        review.sign(DOC, second.id, PASSWORD, "Reviewed", reviewed=review.record_digest(second.id))
    signature = review.sign(
        DOC, second.id, NEW_PASSWORD, "Reviewed", reviewed=review.record_digest(second.id)
    )
    assert signature.valid and signature.key_fingerprint == before  # the same key
    assert review.check_signatures() == []


def test_after_an_administrators_reset_only_the_users_own_new_password_signs(
    clinic, clock, review, signed
):
    old = review.signature(signed.id).key_fingerprint
    clinic.users.reset_password(NURSE, "dr.patel", TEMPORARY_PASSWORD)
    clock.advance(hours=1)
    second = _cancelled_session(clinic)
    # The administrator knows the temporary password: it signs nothing.
    with pytest.raises(DomainError) as refused:
        review.sign(
            DOC, second.id, TEMPORARY_PASSWORD, "Reviewed", reviewed=review.record_digest(second.id)
        )
    assert str(refused.value) == CHOOSE_OWN_PASSWORD
    # The old password opened the old key, but that key is retired by the reset.
    with pytest.raises(DomainError):
        review.sign(DOC, second.id, PASSWORD, "Reviewed", reviewed=review.record_digest(second.id))
    assert review.signature(second.id) is None
    user = clinic.users.change_password("dr.patel", TEMPORARY_PASSWORD, NEW_PASSWORD)
    assert not user.must_change_password
    signature = review.sign(
        DOC, second.id, NEW_PASSWORD, "Reviewed", reviewed=review.record_digest(second.id)
    )
    assert signature.valid and signature.key_fingerprint != old  # a new key pair
    assert review.signature(signed.id).valid  # the old signature, with the old key
    assert review.check_signatures() == []


def test_a_new_account_cannot_sign_with_the_password_the_administrator_typed(clinic, clock, review):
    s = _cancelled_session(clinic)
    clinic.users.add(NURSE, "dr.ray", "Ray Osei", "MD", "physician", TEMPORARY_PASSWORD)
    with pytest.raises(DomainError, match="Choose your own password first"):
        review.sign(
            Actor("dr.ray", "Ray Osei, MD"),
            s.id,
            TEMPORARY_PASSWORD,
            "Reviewed",
            reviewed=review.record_digest(s.id),
        )
    assert review.signature(s.id) is None


@pytest.mark.sqlite_only(
    reason="an attacker with the SQLite file: raw sqlite3 on it, triggers dropped"
)
def test_addenda_are_signed_by_their_author_and_checked(clinic, clock, review, signed):
    with pytest.raises(DomainError, match="Wrong username or password"):
        review.add_addendum(NURSE, signed.id, "Patient phoned", "Follow-up call", "wrong pw 123")
    assert review.addenda(signed.id) == []
    clock.advance(hours=2)
    added = review.add_addendum(NURSE, signed.id, "Patient phoned", "Follow-up call", PASSWORD)
    assert added.valid and added.author_name == "Jo Rivera, RN"
    assert review.addenda(signed.id)[0].valid
    attacker = _attack(clinic)
    attacker.update("addendum", added.id, "text", "Patient never phoned")
    attacker.close()
    (checked,) = review.addenda(signed.id)
    assert not checked.valid
    assert checked.verdict.startswith("ADDENDUM SIGNATURE INVALID: ")
    assert review.signature(signed.id).valid  # the signed record itself is untouched
    assert [p for p in review.check_signatures() if p.startswith(f"addendum {added.id}")]


@pytest.mark.sqlite_only(
    reason="an attacker with the SQLite file: raw sqlite3 on it, triggers dropped"
)
def test_a_forged_unsigned_addendum_is_reported(clinic, review, signed):
    attacker = _attack(clinic)
    cursor = attacker.raw.execute(
        "INSERT INTO addendum (session_id, author, at, reason, text, printed_name, credentials)"
        " VALUES (?, 'dr.patel', '2026-03-03 10:00:00.000000', 'x', 'All fine', 'Priya Patel',"
        " 'MD')",
        (signed.id,),
    )
    attacker.close()
    (forged,) = review.addenda(signed.id)
    assert forged.id == cursor.lastrowid and not forged.valid
    assert "no digital signature" in forged.problem


@pytest.mark.sqlite_only(
    reason="an attacker with the SQLite file: raw sqlite3 on it, triggers dropped"
)
def test_audit_verify_reports_an_invalid_signature_in_words(clinic, db_url, signed, capsys):
    from ketamon.cli import EXIT_AUDIT_BROKEN, main

    (set_id,) = [v.id for v in clinic.vitals.for_session(signed.id) if v.values.systolic == 127]
    attacker = _attack(clinic)
    attacker.update("vitals_set", set_id, "systolic", 118)
    attacker.close()
    clinic.close()
    assert main(["audit", "verify", "--db", db_url]) == EXIT_AUDIT_BROKEN
    err = capsys.readouterr().err
    assert (
        f"SIGNATURE INVALID: signature 1 (session {signed.id}): "
        "the signed record changed after signing"
    ) in err
    assert "protection missing: trigger" in err  # the attacker's dropped triggers, too


def test_a_column_added_later_leaves_older_signatures_valid(clinic, clock, review, monkeypatch):
    """A signature covers the columns of its payload version: one made by the release
    before migration 0008 added the oxygen tick (payload version 1) still verifies on the
    upgraded record, while today's version covers the tick."""
    assert not_covered(1)["vitals_set"] == ("oxygen",)
    assert not_covered(2) == {
        "side_effect": ("physician_decision", "physician_decision_by", "physician_decision_at"),
        "medication_given": ("allergy_override_reason",),
        "outcome_score": ("*",),  # the whole table: questionnaires came with version 4
    }
    assert not_covered(3) == {"outcome_score": ("*",)}
    assert not_covered(PAYLOAD_VERSION) == {}
    session = discharged_session(clinic, clock, sets=12)
    with monkeypatch.context() as old_release:
        old_release.setattr(review_module, "PAYLOAD_VERSION", 1)
        review.sign(
            DOC, session.id, PASSWORD, "Reviewed", reviewed=review.record_digest(session.id)
        )
    with clinic.db.transaction(write=False) as db:
        row = db.scalars(select(SignatureRow).filter_by(session_id=session.id)).one()
        assert row.payload_version == 1
        assert b'"oxygen"' not in signature_payload(db, row)
    assert review.signature(session.id).valid
    assert review.check_signatures() == []


def _as_before_digital_signatures(attacker: Attacker, entity: str, entity_id: int) -> None:
    """The forger's baseline entry, as migration 0007 wrote them, appended to the trail."""
    attacker.audit("baseline", entity, entity_id, "signature", None, None, actor="(migration 0007)")


@pytest.mark.sqlite_only(
    reason="an attacker with the SQLite file: raw sqlite3 on it, triggers dropped"
)
def test_a_signature_passed_off_as_one_from_before_digital_signatures_is_invalid(
    clinic, review, signed
):
    # Found by an attack battery: the heart rate of a signed set rewritten, the signature's
    # bytes removed, its content hash recomputed and a "(migration 0007)" baseline entry
    # appended: the signature read as valid (an old, hash-only one) and was exported.
    (set_id,) = [v.id for v in clinic.vitals.for_session(signed.id) if v.values.systolic == 127]
    attacker = _attack(clinic)
    attacker.update("vitals_set", set_id, "heart_rate", 44)
    (sig_id,) = attacker.raw.execute("SELECT id FROM signature").fetchone()
    attacker.update("signature", sig_id, "signature", None)
    attacker.raw.commit()
    with clinic.db.transaction(write=False) as tx:
        forged = content_hash(session_content(tx, signed.id, without=ADDED_AFTER_HASH_SIGNATURES))
    attacker.update("signature", sig_id, "content_hash", forged)
    _as_before_digital_signatures(attacker, "signature", sig_id)
    attacker.close()
    _invalid(clinic, review, signed.id, "it carries no digital signature")


@pytest.mark.sqlite_only(
    reason="an attacker with the SQLite file: raw sqlite3 on it, triggers dropped"
)
def test_an_addendum_passed_off_as_one_from_before_digital_signatures_is_invalid(
    clinic, review, signed
):
    attacker = _attack(clinic)
    cursor = attacker.raw.execute(
        "INSERT INTO addendum (session_id, author, at, reason, text, printed_name, credentials)"
        " VALUES (?, 'dr.patel', '2026-03-03 10:00:00.000000', 'Late entry', 'All fine',"
        " 'Priya Patel', 'MD')",
        (signed.id,),
    )
    addendum_id = cursor.lastrowid
    attacker.audit("create", "addendum", addendum_id, "text", None, "All fine")
    _as_before_digital_signatures(attacker, "addendum", addendum_id)
    attacker.close()
    (forged,) = review.addenda(signed.id)
    assert not forged.valid and "no digital signature" in forged.problem
    assert any(f"addendum {addendum_id}" in p for p in review.check_signatures())
