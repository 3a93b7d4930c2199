"""The canonical bytes a signature is made over: stable for the same record (whatever the
row order, dict order or time zone of the values), different when anything signed differs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from ketamon.domain.errors import DomainError
from ketamon.domain.review import ChainHead, PatientIdentity, Signer, signed_payload

AT = datetime(2026, 11, 21, 14, 5, 7, 123456, tzinfo=UTC)
CONTENT = {
    "infusion_session": [{"id": 7, "target_minutes": 40, "checked_in_at": AT}],
    "vitals_set": [
        {"id": 1, "systolic": 127, "temperature_c": 36.6, "taken_at": AT},
        {"id": 2, "systolic": 131, "temperature_c": None, "taken_at": AT + timedelta(minutes=15)},
    ],
}


def payload(**changes) -> bytes:
    values = dict(
        kind="signature",
        session_id=7,
        content=CONTENT,
        patient=PatientIdentity("Maria Gonzalez", "KM-20001", date(1980, 5, 17)),
        signer=Signer("dr.patel", "Priya Patel", "MD"),
        meaning="Reviewed",
        signed_at=AT,
        chain=ChainHead(412, "ab" * 32),
        details={"comment": "Uneventful"},
    )
    values.update(changes)
    return signed_payload(**values)


def test_the_same_record_gives_the_same_bytes_whatever_the_order_or_zone():
    shuffled = {
        "vitals_set": [dict(reversed(list(r.items()))) for r in reversed(CONTENT["vitals_set"])],
        "infusion_session": CONTENT["infusion_session"],
    }
    elsewhere = timezone(timedelta(hours=-5))
    assert payload(content=shuffled) == payload()
    assert payload(signed_at=AT.astimezone(elsewhere)) == payload()


def test_the_bytes_are_versioned_utf8_json_with_the_signed_fields():
    data = payload(patient=PatientIdentity("José Núñez", "KM-1", date(1970, 1, 2)))
    head, _, body = data.partition(b"\n")
    assert head == b"KetaMon signed record v4"
    text = body.decode("utf-8")
    assert '"full_name":"José Núñez"' in text  # UTF-8, not escaped
    assert '"date_of_birth":"1970-01-02"' in text
    assert '"signed_at":"2026-11-21T14:05:07.123456+00:00"' in text
    assert '"chain":{"hash":"' + "ab" * 32 + '","seq":412}' in text
    assert " " not in text.replace("José Núñez", "").replace("Maria Gonzalez", "").replace(
        "Priya Patel", ""
    )


@pytest.mark.parametrize(
    "change",
    [
        {"content": {**CONTENT, "vitals_set": [{**CONTENT["vitals_set"][0], "systolic": 118}]}},
        {"patient": PatientIdentity("Mary Gonzalez", "KM-20001", date(1980, 5, 17))},
        {"patient": PatientIdentity("Maria Gonzalez", "KM-20002", date(1980, 5, 17))},
        {"patient": PatientIdentity("Maria Gonzalez", "KM-20001", date(1980, 5, 18))},
        {"signer": Signer("dr.patel", "Pat Forger", "MD")},
        {"signer": Signer("dr.patel", "Priya Patel", "DO")},
        {"signer": Signer("dr.other", "Priya Patel", "MD")},
        {"meaning": "Reviewed and approved"},
        {"signed_at": AT + timedelta(microseconds=1)},
        {"chain": ChainHead(413, "ab" * 32)},
        {"chain": ChainHead(412, "cd" * 32)},
        {"details": {"comment": "Uneventful."}},
        {"kind": "addendum"},
        {"session_id": 8},
    ],
)
def test_anything_signed_that_differs_changes_the_bytes(change):
    assert payload(**change) != payload()


def test_a_float_keeps_its_exact_value():
    exact = {**CONTENT, "vitals_set": [{**CONTENT["vitals_set"][0], "temperature_c": 36.6000001}]}
    assert payload(content=exact) != payload()


def test_an_unknown_payload_version_is_refused():
    with pytest.raises(DomainError, match="version 5"):
        payload(version=5)
