"""Users, roles and signing in: enforced in the services, with the fake clock for lockouts."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from ketamon.domain.actors import Actor
from ketamon.domain.errors import DomainError, FieldError
from ketamon.domain.users import SIGN_IN_REFUSED, Role
from ketamon.services.users import SignInRefused
from tests.conftest import (
    NURSE,
    PASSWORD,
    ask_questionnaires,
    baseline,
    draft,
    plan_dose,
    plan_escort,
)

pytestmark = pytest.mark.both_backends

NURSE_ONLY = Actor("nurse.amy", "Amy Stone, RN")
ADMIN_ONLY = Actor("it.admin", "Sam Admin")
PHYSICIAN = Actor("dr.ray", "Ray Osei, MD")


@pytest.fixture
def staff(clinic):
    clinic.users.add(NURSE, "nurse.amy", "Amy Stone", "RN", "nurse", PASSWORD)
    clinic.users.add(NURSE, "it.admin", "Sam Admin", "", "admin", PASSWORD)
    clinic.users.add(NURSE, "dr.ray", "Ray Osei", "MD", "physician", PASSWORD)
    return clinic


def test_passwords_are_stored_as_argon2id_hashes(clinic):
    with clinic.db.engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM app_user")).scalar_one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_sign_in_returns_the_user_with_roles(clinic):
    user = clinic.auth.sign_in("  Nurse.Jo ", PASSWORD)
    assert (user.username, user.display_name) == ("nurse.jo", "Jo Rivera, RN")
    assert user.roles == {Role.NURSE, Role.ADMIN}


def test_the_refusal_is_the_same_for_unknown_user_and_wrong_password(clinic):
    messages = set()
    for username, password in (("nobody", PASSWORD), ("nurse.jo", "wrong password!")):
        with pytest.raises(SignInRefused) as refused:
            clinic.auth.sign_in(username, password)
        messages.add(str(refused.value))
    assert messages == {SIGN_IN_REFUSED}


def test_five_wrong_passwords_lock_the_account_for_five_minutes(clinic, clock):
    for _ in range(5):
        with pytest.raises(SignInRefused):
            clinic.auth.sign_in("nurse.jo", "wrong password!")
    with pytest.raises(SignInRefused) as refused:  # even the right password, while locked
        clinic.auth.sign_in("nurse.jo", PASSWORD)
    assert str(refused.value) == SIGN_IN_REFUSED
    clock.advance(minutes=4, seconds=59)
    with pytest.raises(SignInRefused):
        clinic.auth.sign_in("nurse.jo", PASSWORD)
    clock.advance(seconds=2)
    assert clinic.auth.sign_in("nurse.jo", PASSWORD).username == "nurse.jo"


def test_a_right_password_resets_the_count(clinic):
    for _ in range(4):
        with pytest.raises(SignInRefused):
            clinic.auth.sign_in("nurse.jo", "wrong password!")
    clinic.auth.sign_in("nurse.jo", PASSWORD)
    for _ in range(4):
        with pytest.raises(SignInRefused):
            clinic.auth.sign_in("nurse.jo", "wrong password!")
    assert clinic.auth.sign_in("nurse.jo", PASSWORD).username == "nurse.jo"


def test_sign_ins_and_refusals_are_audited(clinic):
    clinic.auth.sign_in("nurse.jo", PASSWORD)
    with pytest.raises(SignInRefused):
        clinic.auth.sign_in("nurse.jo", "wrong password!")
    with clinic.db.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT actor, action FROM audit_log WHERE action LIKE 'sign_in%' ORDER BY seq")
        ).all()
    assert [tuple(r) for r in rows] == [("nurse.jo", "sign_in"), ("nurse.jo", "sign_in_refused")]


def test_a_deactivated_user_cannot_sign_in_or_act(staff):
    staff.users.deactivate(NURSE, "nurse.amy", "Left the clinic")
    with pytest.raises(SignInRefused):
        staff.auth.sign_in("nurse.amy", PASSWORD)
    with pytest.raises(DomainError, match="deactivated"):
        staff.patients.register(NURSE_ONLY, draft())
    staff.users.reactivate(NURSE, "nurse.amy", "Returned")
    assert staff.auth.sign_in("nurse.amy", PASSWORD).active


def test_a_nurse_cannot_manage_users_settings_or_chairs(staff):
    with pytest.raises(DomainError, match="not allowed to manage users"):
        staff.users.add(NURSE_ONLY, "x.y", "X Y", "", "nurse", PASSWORD)
    with pytest.raises(DomainError, match="not allowed to manage users"):
        staff.users.deactivate(NURSE_ONLY, "dr.ray", "no reason really")
    with pytest.raises(DomainError, match="not allowed to manage clinic settings"):
        staff.settings.update(NURSE_ONLY, overrun_alert_minutes=10)
    with pytest.raises(DomainError, match="not allowed to manage clinic settings"):
        staff.chairs.add(NURSE_ONLY, "Chair 7")
    assert [u.username for u in staff.users.all()] == [
        "dr.ray",
        "it.admin",
        "nurse.amy",
        "nurse.jo",
    ]


def test_an_admin_without_a_clinical_role_does_not_chart(staff):
    with pytest.raises(DomainError, match="not allowed to chart"):
        staff.patients.register(ADMIN_ONLY, draft())
    staff.chairs.add(ADMIN_ONLY, "Recliner")  # but manages the clinic's chairs


def test_nurses_and_physicians_chart(staff):
    patient = staff.patients.register(NURSE_ONLY, draft())
    chair = staff.chairs.all()[0]
    session = staff.sessions.check_in(PHYSICIAN, chair.id, patient.id, 40)
    baseline(staff, session.id)
    plan_dose(staff, session.id, NURSE_ONLY)
    plan_escort(staff, session.id, NURSE_ONLY)
    ask_questionnaires(staff, session.id, NURSE_ONLY)
    assert staff.sessions.start(NURSE_ONLY, session.id).events[-1].actor == "nurse.amy"


def test_an_actor_who_is_not_a_user_is_refused(clinic):
    with pytest.raises(DomainError, match="Unknown user"):
        clinic.patients.register(Actor("ghost"), draft())
    with pytest.raises(DomainError, match="acting user"):
        clinic.patients.register(None, draft())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"password": "short"}, "password"),
        ({"password": " padded password "}, "password"),
        ({"username": "nurse.jo"}, "username"),
        ({"username": "has space"}, "username"),
        ({"roles": "surgeon"}, "roles"),
        ({"roles": ""}, "roles"),
        ({"full_name": "  "}, "full_name"),
        ({"full_name": "\u200b"}, "full_name"),  # only invisible: no name
        ({"full_name": "--"}, "full_name"),  # a name has letters
        # a look-alike of nurse.jo (Cyrillic о) would read as her on the audit trail
        ({"username": "nurse.j\u043e"}, "username"),
        ({"username": "nurse.jo\u200b"}, "username"),
    ],
)
def test_bad_user_input_is_refused_and_changes_nothing(clinic, kwargs, field):
    values = {
        "username": "new.user",
        "full_name": "New User",
        "credentials": "RN",
        "roles": "nurse",
        "password": "long enough password",
    } | kwargs
    with pytest.raises(FieldError) as refused:
        clinic.users.add(NURSE, **values)
    assert refused.value.field == field
    assert [u.username for u in clinic.users.all()] == ["nurse.jo"]


def test_a_corrupted_hash_refuses_sign_in_without_crashing(clinic):
    with clinic.db.engine.begin() as conn:
        conn.execute(text("UPDATE app_user SET password_hash = 'garbage'"))
    with pytest.raises(SignInRefused):
        clinic.auth.sign_in("nurse.jo", PASSWORD)


def test_reset_password_and_first_admin_rules(clinic, db_url, clock):
    clinic.users.reset_password(NURSE, "nurse.jo", "a brand new password")
    with pytest.raises(SignInRefused):
        clinic.auth.sign_in("nurse.jo", PASSWORD)
    assert clinic.auth.sign_in("nurse.jo", "a brand new password")
    with pytest.raises(DomainError, match="Users already exist"):
        clinic.users.create_first_admin("second", "Second Admin", "", "long enough pw1")
    with pytest.raises(FieldError, match="admin role"):
        clinic.users.create_first_admin("second", "Second", "", "long enough pw1", roles="nurse")


def test_an_admin_cannot_deactivate_their_own_account(clinic):
    with pytest.raises(DomainError, match="your own account"):
        clinic.users.deactivate(NURSE, "nurse.jo", "oops")


def test_deactivation_needs_a_reason(staff):
    with pytest.raises(FieldError, match="reason"):
        staff.users.deactivate(NURSE, "nurse.amy", "  ")


def test_lockout_is_not_extended_by_attempts_while_locked(clinic, clock):
    for _ in range(5):
        with pytest.raises(SignInRefused):
            clinic.auth.sign_in("nurse.jo", "wrong password!")
    clock.advance(minutes=3)
    with pytest.raises(SignInRefused):
        clinic.auth.sign_in("nurse.jo", "wrong password!")
    clock.advance(minutes=2, seconds=1)
    assert clinic.auth.sign_in("nurse.jo", PASSWORD)
