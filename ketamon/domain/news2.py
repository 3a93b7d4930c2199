"""NEWS2 (Royal College of Physicians, 2017, chart 1): points per parameter, the aggregate
of a complete set, and the RCP response in words.

The chart is data (a clinic setting with these defaults, CLINICAL.md): per parameter, the
low side [[edge, points], ...] (value <= edge scores those points) and the high side
(value >= edge). A value scores the highest points of the edges it crosses."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

# parameter -> {"low": [[edge, points]], "high": [[edge, points]]}
Chart = dict[str, dict[str, list[list[float]]]]


def default_chart() -> Chart:
    return {
        "resp_rate": {"low": [[8, 3], [11, 1]], "high": [[21, 2], [25, 3]]},
        "spo2": {"low": [[91, 3], [93, 2], [95, 1]], "high": []},
        # Scale 2 (hypercapnic respiratory failure, target 88–92%): low side always,
        # high side only on supplemental oxygen (>= 93 on air scores 0).
        "spo2_scale2": {"low": [[83, 3], [85, 2], [87, 1]], "high": []},
        "spo2_scale2_oxygen": {"low": [], "high": [[93, 1], [95, 2], [97, 3]]},
        "systolic": {"low": [[90, 3], [100, 2], [110, 1]], "high": [[220, 3]]},
        "heart_rate": {"low": [[40, 3], [50, 1]], "high": [[91, 1], [111, 2], [131, 3]]},
        "temperature": {"low": [[35.0, 3], [36.0, 1]], "high": [[38.1, 1], [39.1, 2]]},
    }


ALERT_MOAAS = 5  # MOAA/S 5 is Alert; below is not (V, P or U): 3 points
OXYGEN_POINTS = 2
PARAMETERS = ("resp_rate", "spo2", "systolic", "heart_rate", "temperature")


def points(chart: Chart, key: str, value: float) -> int:
    side = chart.get(key, {})
    low = [int(p) for edge, p in side.get("low", []) if value <= edge]
    high = [int(p) for edge, p in side.get("high", []) if value >= edge]
    return max(low + high, default=0)


def spo2_points(chart: Chart, value: float, *, scale2: bool = False, oxygen: bool = False) -> int:
    if not scale2:
        return points(chart, "spo2", value)
    on_oxygen = points(chart, "spo2_scale2_oxygen", value) if oxygen else 0
    return max(points(chart, "spo2_scale2", value), on_oxygen)


def consciousness_points(moaas: int) -> int:
    return 0 if moaas >= ALERT_MOAAS else 3


class Response(IntEnum):
    LOW = 0
    LOW_MEDIUM = 1
    MEDIUM = 2
    HIGH = 3

    @property
    def short(self) -> str:
        return ("low", "single 3", "medium", "high")[self]

    @property
    def words(self) -> str:
        return (
            "low: ward-based response",
            "single 3: urgent ward-based response",
            "medium: urgent response",
            "high: emergency response",
        )[self]


@dataclass(frozen=True)
class News2:
    """The NEWS2 of one set: points per parameter, their total, the RCP response."""

    parameter_points: dict[str, int]
    total: int | None  # None unless every parameter is present

    @property
    def response(self) -> Response | None:
        if self.total is None:
            return None
        if self.total >= 7:
            return Response.HIGH
        if self.total >= 5:
            return Response.MEDIUM
        if any(p == 3 for p in self.parameter_points.values()):
            return Response.LOW_MEDIUM
        return Response.LOW

    @property
    def words(self) -> str:
        if self.total is None:
            return "NEWS2 incomplete"
        return f"NEWS2 {self.total} ({self.response.words})"  # type: ignore[union-attr]


RESPONSE_KEY = (
    "NEWS2 (RCP 2017): low 0–4 = ward-based response; single 3 = a parameter scores 3, "
    "urgent ward-based response; medium 5–6 = urgent response; high 7 or more = emergency "
    "response."
)


SCALE2_KEY = (
    "SpO2 scale 2 (this patient's option, hypercapnic respiratory failure, target 88–92%): "
    "on air 88% and above scores 0; on oxygen 93% and above scores 1–3."
)


def score(
    chart: Chart,
    values: dict[str, float | None],
    *,
    oxygen: bool = False,
    scale2: bool = False,
) -> News2:
    """`values`: measure key -> value (None = not taken); sedation is MOAA/S."""
    got: dict[str, int] = {}
    for key in PARAMETERS:
        value = values.get(key)
        if value is None:
            continue
        if key == "spo2":
            got[key] = spo2_points(chart, value, scale2=scale2, oxygen=oxygen)
        else:
            got[key] = points(chart, key, value)
    if values.get("sedation") is not None:
        got["consciousness"] = consciousness_points(int(values["sedation"]))  # type: ignore[arg-type]
    got["oxygen"] = OXYGEN_POINTS if oxygen else 0
    complete = len(got) == len(PARAMETERS) + 2
    return News2(got, sum(got.values()) if complete else None)


def validate_chart(chart: Chart) -> None:
    for key, sides in chart.items():
        for side in ("low", "high"):
            for pair in sides.get(side, []):
                if len(pair) != 2 or not 0 <= pair[1] <= 3:
                    raise ValueError(f"NEWS2 chart {key}: each edge is [value, points 0–3]")
