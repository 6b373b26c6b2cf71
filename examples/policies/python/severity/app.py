"""A severity policy for git-hotfix, written in Python.

It exports the `severity` interface of the `severity-policy` world in
wit/v0.1.0/plugin.wit: a keyword rule, three questions, and the levels of git-hotfix's
workflow (P0: 2 hours, deploy at once; P1: 4 hours, same day; P2: 24 hours, next
business day). See README.md beside it for how to build it and docs/policies.md for
policies in general.
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

# Each level: its name, minutes from detection to deploy, deploy window, approvals needed,
# whether staging may be skipped. The same values as git-hotfix's default table.
TABLE = {
    Level.P0: ("security vulnerability", 120, DeployWindow.IMMEDIATE, 0, True),
    Level.P1: ("production down", 240, DeployWindow.SAME_DAY, 1, False),
    Level.P2: ("major bug", 24 * 60, DeployWindow.NEXT_BUSINESS_DAY, 1, False),
}

# Words in the title, description or labels that place an incident.
KEYWORDS = [
    ("auth bypass", Level.P0, "security vulnerability"),
    ("exploit", Level.P0, "security vulnerability"),
    ("data leak", Level.P0, "data exposed"),
    ("crash", Level.P1, "app crash"),
    ("outage", Level.P1, "production down"),
]

QUESTIONS = [
    ("security", "Is it a security issue (auth bypass, exploit, leak)?"),
    ("down", "Is production fully down (nobody can use it)?"),
    ("workaround", "Is there a workaround users can take?"),
]


def words(text: str) -> str:
    """`text` lowercased, with every run of non-alphanumerics as one space, padded with
    spaces: " auth bypass " is then found in "Auth-bypass!" but "down" not in "download"."""
    return " " + " ".join("".join(c if c.isalnum() else " " for c in text.lower()).split()) + " "


def yes(answers: dict, question: str) -> bool:
    return answers.get(question) == "yes"


class Severity(exports.Severity):
    def levels(self) -> list[Assessment]:
        # An empty list: git-hotfix then uses its default P0-P3 table when a person picks a
        # level (`start --severity P1`). TABLE above agrees with that table.
        return []

    def questions(self) -> list[Question]:
        return [Question(id, prompt, QuestionKind_YesNo()) for id, prompt in QUESTIONS]

    def assess(self, incident: Incident) -> Assessment:
        # A call returning result<assessment, plugin-error> returns the assessment, and
        # reports an error by raising componentize_py_types.Err(<a plugin-error case>).
        asked = [id for id, _ in QUESTIONS]
        answers = {}
        for answer in incident.answers:
            if answer.id not in asked:
                raise Err(PluginError_Unsupported(
                    f'this policy asks no question "{answer.id}" (it asks: {", ".join(asked)})'))
            value = answer.value.strip().lower()
            if value not in ("yes", "no"):
                raise Err(PluginError_InvalidInput(
                    f'the answer to "{answer.id}" must be yes or no, not "{answer.value}"'))
            answers[answer.id] = value

        found = []  # (level, reason)
        for place, text in [("title", incident.title), ("description", incident.description),
                            ("labels", " ".join(incident.labels))]:
            for keyword, level, kind in KEYWORDS:
                if f" {keyword} " in words(text):
                    said = f'{place} mentions "{keyword}"'
                    if place == "labels":
                        said = f'labelled "{keyword}"'
                    found.append((level, f"{said}: {kind}"))
        if yes(answers, "security"):
            found.append((Level.P0, "answered: it is a security issue"))
        if yes(answers, "down"):
            found.append((Level.P0, "answered: production is fully down"))

        if not found:
            return assessment(Level.P2, ["nothing urgent named: a major bug by default"])
        # The most urgent level wins (P0 has the lowest value), with the reasons for it.
        level = min((level for level, _ in found), key=lambda level: level.value)
        reasons = [reason for found_level, reason in found if found_level == level]
        if level == Level.P1 and yes(answers, "workaround"):
            level = Level.P2
            reasons.append("a workaround exists: one level lower")
        return assessment(level, reasons)


def assessment(level: Level, reasons: list[str]) -> Assessment:
    label, minutes, window, approvals, skip_staging = TABLE[level]
    return Assessment(
        severity=level,
        label=label,
        response_minutes=minutes,
        deploy_window=window,
        reasons=reasons,
        approvals_required=approvals,
        skip_staging_allowed=skip_staging,
    )
