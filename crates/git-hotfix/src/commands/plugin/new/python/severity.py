"""{{name}}: how urgent an incident is.

Words in the title and description place it, and one question (do customers see it?) makes
it one level more urgent. The levels' clocks are git-hotfix's workflow table (TABLE); the
contract is wit/plugin.wit, world severity-policy.
"""

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports.types import (
    Assessment,
    DeployWindow,
    Incident,
    PluginError_InvalidInput,
    PluginError_Unsupported,
    Question,
    QuestionKind_YesNo,
    Severity as Level,  # the WIT enum `severity`; `Severity` below is the interface
)

# Each level: its label, minutes to respond, deploy window, approvals, staging may be skipped.
TABLE = {
    Level.P0: ("security vulnerability", 120, DeployWindow.IMMEDIATE, 0, True),
    Level.P1: ("production down", 240, DeployWindow.SAME_DAY, 1, False),
    Level.P2: ("major bug", 24 * 60, DeployWindow.NEXT_BUSINESS_DAY, 1, False),
    Level.P3: ("business critical", 48 * 60, DeployWindow.SCHEDULED, 1, False),
}

# Words that place an incident, most urgent first: (word, level, what it means).
WORDS = [
    ("security", Level.P0, "a security hole"),
    ("bypass", Level.P0, "a security hole"),
    ("leak", Level.P0, "data exposed"),
    ("outage", Level.P1, "production down"),
    ("down", Level.P1, "production down"),
    ("crash", Level.P1, "a crash"),
]

MORE_URGENT = {Level.P0: Level.P0, Level.P1: Level.P0, Level.P2: Level.P1, Level.P3: Level.P2}


def words(text: str) -> str:
    """`text` lowercased, each run of other characters one space, padded with spaces:
    " down " is found in "Site down!" but not in "download"."""
    return " " + " ".join("".join(c if c.isalnum() else " " for c in text.lower()).split()) + " "


def level(severity: Level, reasons: list[str]) -> Assessment:
    label, minutes, window, approvals, skip_staging = TABLE[severity]
    return Assessment(severity, label, minutes, window, reasons, approvals, skip_staging)


class Severity(exports.Severity):
    def levels(self) -> list[Assessment]:
        # None: git-hotfix then uses its workflow table, which TABLE agrees with.
        return []

    def questions(self) -> list[Question]:
        return [Question("customers", "Do customers see it?", QuestionKind_YesNo())]

    def assess(self, incident: Incident) -> Assessment:
        # An error is raised as Err(<a plugin-error case>); any other exception is a crash.
        customers = False
        for answer in incident.answers:
            if answer.id != "customers":
                raise Err(PluginError_Unsupported(f'this policy asks no question "{answer.id}"'))
            if answer.value not in ("yes", "no"):
                raise Err(PluginError_InvalidInput(
                    f'the answer to "customers" is yes or no, not "{answer.value}"'))
            customers = answer.value == "yes"

        text = words(f"{incident.title} {incident.description}")
        found = next(((w, s, m) for w, s, m in WORDS if f" {w} " in text), None)
        if found:
            word, severity, meaning = found
            reasons = [f'title mentions "{word}": {meaning}']
        else:
            severity, reasons = Level.P2, ["nothing urgent named: a major bug"]
        if customers:
            severity = MORE_URGENT[severity]
            reasons.append("customers see it: one level more urgent")
        return level(severity, reasons)
