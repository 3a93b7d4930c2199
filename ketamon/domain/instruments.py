"""The outcome questionnaires as published: their wording, answer scales, totals and bands.

PHQ-9 and GAD-7 (Spitzer, Kroenke, Williams; no permission is needed to reproduce them),
PCL-5 (National Center for PTSD, public domain) and the 0–10 pain rating. The wording is
shown to the nurse who reads the questionnaire with the patient, so it is the instrument's
own; CLINICAL.md gives the bands and codes. Scoring is in ketamon.domain.outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Instrument(StrEnum):
    PHQ9 = "PHQ-9"
    GAD7 = "GAD-7"
    PCL5 = "PCL-5"
    PAIN = "Pain NRS"


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    label: str


@dataclass(frozen=True)
class Questionnaire:
    instrument: Instrument
    title: str
    stem: str
    items: tuple[str, ...]
    answers: tuple[str, ...]  # answers[n] is the wording of the answer scored n
    bands: tuple[Band, ...]
    loinc: str  # the total score's LOINC code ("" when none exists)

    @property
    def max_item(self) -> int:
        return len(self.answers) - 1

    @property
    def max_total(self) -> int:
        return self.max_item * len(self.items)

    def band(self, total: int) -> Band:
        for band in self.bands:
            if band.low <= total <= band.high:
                return band
        raise ValueError(f"{self.instrument}: no band holds {total}")


FREQUENCY = ("Not at all", "Several days", "More than half the days", "Nearly every day")
BOTHERED = ("Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely")

PHQ9 = Questionnaire(
    Instrument.PHQ9,
    "Patient Health Questionnaire (PHQ-9)",
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?",
    (
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself — or that you are a failure or have let yourself or your "
        "family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
        "being so fidgety or restless that you have been moving around a lot more than usual",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ),
    FREQUENCY,
    (
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 19, "moderately severe"),
        Band(20, 27, "severe"),
    ),
    "44261-6",
)

GAD7 = Questionnaire(
    Instrument.GAD7,
    "Generalized Anxiety Disorder scale (GAD-7)",
    "Over the last 2 weeks, how often have you been bothered by the following problems?",
    (
        "Feeling nervous, anxious, or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid as if something awful might happen",
    ),
    FREQUENCY,
    (
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 21, "severe"),
    ),
    "70274-6",
)

PCL5 = Questionnaire(
    Instrument.PCL5,
    "PTSD Checklist for DSM-5 (PCL-5)",
    "In the past month, how much were you bothered by:",
    (
        "Repeated, disturbing, and unwanted memories of the stressful experience?",
        "Repeated, disturbing dreams of the stressful experience?",
        "Suddenly feeling or acting as if the stressful experience were actually happening "
        "again (as if you were actually back there reliving it)?",
        "Feeling very upset when something reminded you of the stressful experience?",
        "Having strong physical reactions when something reminded you of the stressful "
        "experience (for example, heart pounding, trouble breathing, sweating)?",
        "Avoiding memories, thoughts, or feelings related to the stressful experience?",
        "Avoiding external reminders of the stressful experience (for example, people, "
        "places, conversations, activities, objects, or situations)?",
        "Trouble remembering important parts of the stressful experience?",
        "Having strong negative beliefs about yourself, other people, or the world (for "
        "example, having thoughts such as: I am bad, there is something seriously wrong with "
        "me, no one can be trusted, the world is completely dangerous)?",
        "Blaming yourself or someone else for the stressful experience or what happened after it?",
        "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
        "Loss of interest in activities that you used to enjoy?",
        "Feeling distant or cut off from other people?",
        "Trouble experiencing positive feelings (for example, being unable to feel happiness "
        "or have loving feelings for people close to you)?",
        "Irritable behavior, angry outbursts, or acting aggressively?",
        "Taking too many risks or doing things that could cause you harm?",
        'Being "superalert" or watchful or on guard?',
        "Feeling jumpy or easily startled?",
        "Having difficulty concentrating?",
        "Trouble falling or staying asleep?",
    ),
    BOTHERED,
    (Band(0, 32, "below the screening cut-off"), Band(33, 80, "positive screen")),
    "",  # LOINC has PCL-5 panels, but no code is agreed for exports yet
)

PAIN = Questionnaire(
    Instrument.PAIN,
    "Pain rating (0–10)",
    "On a scale of 0 to 10, where 0 is no pain and 10 is the worst pain imaginable, how "
    "much pain do you have right now?",
    ("Pain now",),
    tuple(str(n) for n in range(11)),
    (
        Band(0, 0, "no pain"),
        Band(1, 3, "mild"),
        Band(4, 6, "moderate"),
        Band(7, 10, "severe"),
    ),
    "72514-3",
)

QUESTIONNAIRES: dict[Instrument, Questionnaire] = {
    q.instrument: q for q in (PHQ9, GAD7, PCL5, PAIN)
}
# The suicide-risk item: PHQ-9 item 9 (index 8). Any answer above 0 stops the infusion until a
# clinician has decided (CLINICAL.md, outcome measures).
PHQ9_ITEM9 = 8
