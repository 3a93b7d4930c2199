"""Tampering by raw SQL, as anyone holding the database file can: KetaMon's triggers are
dropped first (and put back afterwards, as a careful attacker would), one change is made,
and `ketamon audit verify` must report it, naming the row, with exit code 3."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from ketamon.cli import main
from ketamon.domain.actors import Actor
from ketamon.domain.clock import FakeClock
from ketamon.domain.vitals import VitalsDraft
from ketamon.storage.anchors import ANCHOR_FILENAME
from tests.conftest import (
    NURSE,
    PASSWORD,
    T0,
    add_user,
    ask_questionnaires,
    baseline,
    draft,
    open_clinic,
    plan_dose,
    plan_escort,
    rehash_chain,
)
from tests.reports.conftest import discharged_session

DOC = Actor("dr.patel", "Priya Patel, MD")


@dataclass(frozen=True)
class Built:
    path: Path
    anchors: Path
    signed_vitals: int  # a vitals set of the signed session
    systolic: int  # its systolic
    live_vitals: int  # a vitals set of the session still running
    side_effect: int
    doctor: int  # app_user id of dr.patel
    setting_seq: int  # the first audit row of the setting changed last before the anchor
    anchored_seq: int  # the chain's head when it was anchored
    head_seq: int  # the chain's head at the end (a few rows after the anchor)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """A clinic built through the services: a signed session, a live one with vitals and a
    side effect, a changed setting; anchored, then a little more recorded."""
    folder = tmp_path_factory.mktemp("tamper")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KETAMON_DATA_DIR", str(folder / "data"))
        clock = FakeClock(T0)
        clinic = open_clinic(f"sqlite:///{folder / 'clinic.sqlite3'}", clock)
        clinic.chairs.ensure_defaults(NURSE)
        doctor = add_user(clinic, "dr.patel", "Priya Patel", "MD", "physician")
        signed = discharged_session(clinic, clock, sets=6)
        clinic.review.sign(
            DOC, signed.id, PASSWORD, "Reviewed", reviewed=clinic.review.record_digest(signed.id)
        )
        signed_set = clinic.vitals.for_session(signed.id)[2]
        patient = clinic.patients.register(NURSE, draft("KM-30001", "Tom Okafor"))
        live = clinic.sessions.check_in(NURSE, clinic.chairs.all()[1].id, patient.id, 40)
        baseline(clinic, live.id)
        plan_dose(clinic, live.id)
        plan_escort(clinic, live.id)
        ask_questionnaires(clinic, live.id)
        clinic.sessions.start(NURSE, live.id)
        clock.advance(minutes=15)
        live_set = clinic.vitals.record(NURSE, live.id, VitalsDraft(126, 80, 74, 97, 15))
        effect = clinic.side_effects.tick(NURSE, live.id, "nausea")
        with clinic.db.engine.connect() as conn:
            setting_seq = conn.exec_driver_sql("SELECT max(seq) FROM audit_log").scalar_one() + 1
        clinic.settings.update(NURSE, discharge_min_observation_minutes=35)
        anchored = clinic.anchors.anchor().seq
        clock.advance(minutes=15)
        clinic.vitals.record(NURSE, live.id, VitalsDraft(122, 78, 72, 98, 14))
        with clinic.db.engine.connect() as conn:
            head = conn.exec_driver_sql("SELECT max(seq) FROM audit_log").scalar_one()
        clinic.close(anchor=False)  # the last connection closed: the WAL is checkpointed
    assert not (folder / "clinic.sqlite3-wal").exists()
    return Built(
        folder / "clinic.sqlite3",
        folder / "data" / ANCHOR_FILENAME,
        signed_set.id,
        signed_set.values.systolic,
        live_set.id,
        effect.id,
        doctor.id,
        setting_seq,
        anchored,
        head,
    )


def _copy(built: Built, tmp_path: Path, data_dir: Path) -> Path:
    path = tmp_path / "tampered.sqlite3"
    shutil.copyfile(built.path, path)
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(built.anchors, data_dir / ANCHOR_FILENAME)
    return path


Work = Callable[[sqlite3.Connection, Built], None]


def _tamper(path: Path, built: Built, work: Work, keep_dropped: tuple[str, ...] = ()) -> None:
    """Drop every trigger, do the work, put the triggers back (all but keep_dropped)."""
    raw = sqlite3.connect(path, isolation_level=None)
    try:
        triggers = raw.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        triggers = triggers.fetchall()
        for name, _sql in triggers:
            raw.execute(f"DROP TRIGGER {name}")
        work(raw, built)
        for name, sql in triggers:
            if name not in keep_dropped:
                raw.execute(sql)
    finally:
        raw.close()


def _verify(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["audit", "verify", "--db", f"sqlite:///{path}"])
    captured = capsys.readouterr()
    return code, (captured.out + captured.err).splitlines()


def _forged(built: Built) -> int:
    return built.systolic - 9


def _update_signed_vitals(raw: sqlite3.Connection, b: Built) -> None:
    raw.execute("UPDATE vitals_set SET systolic = ? WHERE id = ?", (_forged(b), b.signed_vitals))


def _delete_vitals(raw: sqlite3.Connection, b: Built) -> None:
    raw.execute("DELETE FROM vitals_set WHERE id = ?", (b.live_vitals,))


def _delete_side_effect(raw: sqlite3.Connection, b: Built) -> None:
    raw.execute("DELETE FROM side_effect WHERE id = ?", (b.side_effect,))


def _insert_patient(raw: sqlite3.Connection, _b: Built) -> None:
    raw.execute(
        "INSERT INTO patient (mrn, full_name, date_of_birth, weight_kg, allergies, created_at,"
        " created_by) VALUES ('X1', 'Sneaky', '1980-01-01', 70, '', '2026-01-01', 'nobody')"
    )


def _setting(raw: sqlite3.Connection, _b: Built) -> None:
    raw.execute(
        "UPDATE clinic_setting SET value = '0' WHERE key = 'discharge_min_observation_minutes'"
    )


def _password(raw: sqlite3.Connection, b: Built) -> None:
    chosen = PasswordHasher().hash("the attacker's choice")  # then signs as the physician
    raw.execute("UPDATE app_user SET password_hash = ? WHERE id = ?", (chosen, b.doctor))


def _nothing(_raw: sqlite3.Connection, _b: Built) -> None:
    pass


def _delete_tail(raw: sqlite3.Connection, b: Built) -> None:
    """The newest rows go (past the anchor), and the records they created with them, so
    what is left of the trail agrees with the records."""
    created = raw.execute(
        "SELECT DISTINCT entity, entity_id FROM audit_log WHERE seq >= ? AND action = 'create'"
        " AND entity_id IS NOT NULL",
        (b.setting_seq,),
    ).fetchall()
    for entity, entity_id in created:
        raw.execute(f"DELETE FROM {entity} WHERE id = ?", (entity_id,))
    raw.execute("DELETE FROM clinic_setting WHERE key = 'discharge_min_observation_minutes'")
    raw.execute("DELETE FROM audit_log WHERE seq >= ?", (b.setting_seq,))


def _rewrite_history(raw: sqlite3.Connection, b: Built) -> None:
    """A signed systolic changed in the record and in the trail, every hash from there on
    recomputed: the chain is perfect again; only the anchor remembers."""
    _update_signed_vitals(raw, b)
    seq, field = raw.execute(
        "SELECT seq, field FROM audit_log WHERE entity = 'vitals_set' AND entity_id = ? "
        "AND field IN ('systolic', '*') ORDER BY seq DESC LIMIT 1",
        (b.signed_vitals,),
    ).fetchone()
    if field == "*":  # the set's creation: one row holding every field
        raw.execute(
            "UPDATE audit_log SET new_value = json_set(new_value, '$.systolic', ?) WHERE seq = ?",
            (str(_forged(b)), seq),
        )
    else:
        raw.execute("UPDATE audit_log SET new_value = ? WHERE seq = ?", (str(_forged(b)), seq))
    rehash_chain(raw, seq)


def _update_audit_row(raw: sqlite3.Connection, _b: Built) -> None:
    raw.execute("UPDATE audit_log SET reason = 'edited' WHERE seq = 10")


def _delete_audit_row(raw: sqlite3.Connection, _b: Built) -> None:
    raw.execute("DELETE FROM audit_log WHERE seq = 10")


def test_the_untampered_copy_verifies_and_names_the_anchors_checked(built, tmp_path, capsys):
    path = _copy(built, tmp_path, tmp_path / "data")
    _tamper(path, built, _nothing)  # triggers dropped and put back: nothing changed
    code, lines = _verify(path, capsys)
    assert code == 0, lines
    assert lines[0].startswith("Audit trail intact")
    anchors = tmp_path / "data" / ANCHOR_FILENAME
    assert f"  anchors: {anchors}: 1 anchor(s) of this database checked" in lines


CASES = [
    pytest.param(
        _update_signed_vitals,
        (),
        "vitals_set {signed_vitals} field systolic is '{forged}' but the audit trail says "
        "'{systolic}' (changed outside KetaMon)",
        id="update a vitals value",
    ),
    pytest.param(
        _delete_vitals,
        (),
        "vitals_set {live_vitals} was deleted (the audit trail created it in row",
        id="delete a vitals set",
    ),
    pytest.param(
        _delete_side_effect,
        (),
        "side_effect {side_effect} was deleted (the audit trail created it in row",
        id="delete a side effect",
    ),
    pytest.param(
        _insert_patient,
        (),
        "patient 3 has no audit trail (written outside KetaMon)",
        id="insert a row",
    ),
    pytest.param(
        _setting,
        (),
        "clinic_setting discharge_min_observation_minutes field value is '0' but the audit "
        "trail says '35' (changed outside KetaMon)",
        id="change a clinic setting",
    ),
    pytest.param(
        _password,
        (),
        "password of dr.patel (app_user {doctor}) does not match the digest in the audit "
        "trail (changed outside KetaMon)",
        id="replace a password hash",
    ),
    pytest.param(
        _nothing,
        ("vitals_set_signed_lock_update",),
        "protection missing: trigger vitals_set_signed_lock_update on vitals_set was dropped",
        id="drop a trigger",
    ),
    pytest.param(
        _delete_tail,
        (),
        "audit rows {setting_seq}-{anchored_seq} are gone: the chain ends at row {before} but "
        "row {anchored_seq} was anchored in",
        id="delete the newest audit rows",
    ),
    pytest.param(
        _rewrite_history,
        (),
        "audit row {anchored_seq} is not the row anchored in",
        id="rewrite history and re-hash the chain",
    ),
    pytest.param(_update_audit_row, (), "audit row 10 was altered", id="update an audit row"),
    pytest.param(_delete_audit_row, (), "audit row 10 is missing", id="delete a middle row"),
]


@pytest.mark.parametrize(("work", "keep_dropped", "expected"), CASES)
def test_each_tampering_is_found_and_names_the_row(
    built, tmp_path, capsys, work, keep_dropped, expected
):
    path = _copy(built, tmp_path, tmp_path / "data")
    _tamper(path, built, work, keep_dropped)
    code, lines = _verify(path, capsys)
    assert code == 3, lines
    wanted = expected.format(forged=_forged(built), before=built.setting_seq - 1, **vars(built))
    assert any(wanted in line for line in lines), "\n".join(lines)
