// A severity policy for git-hotfix, written in JavaScript.
//
// It exports the `severity` interface of the `severity-policy` world in
// wit/v0.1.0/plugin.wit: a keyword rule, three questions, and the levels of git-hotfix's
// workflow (P0: 2 hours, deploy at once; P1: 4 hours, same day; P2: 24 hours, next
// business day). See README.md beside it for how to build it and docs/policies.md for
// policies in general.
//
// How WIT values look here: records are objects with camelCase fields (`response-minutes`
// is `responseMinutes`), enums are their WIT names as strings ("p0", "same-day"), variants
// are `{ tag, val }` objects, u32 is a number.

// Each level: its name, minutes from detection to deploy, deploy window, approvals needed,
// whether staging may be skipped. The same values as git-hotfix's default table.
const TABLE = {
  p0: ["security vulnerability", 120, "immediate", 0, true],
  p1: ["production down", 240, "same-day", 1, false],
  p2: ["major bug", 24 * 60, "next-business-day", 1, false],
};
const URGENCY = ["p0", "p1", "p2", "p3"]; // most urgent first

// Words in the title, description or labels that place an incident.
const KEYWORDS = [
  ["auth bypass", "p0", "security vulnerability"],
  ["exploit", "p0", "security vulnerability"],
  ["data leak", "p0", "data exposed"],
  ["crash", "p1", "app crash"],
  ["outage", "p1", "production down"],
];

const QUESTIONS = [
  ["security", "Is it a security issue (auth bypass, exploit, leak)?"],
  ["down", "Is production fully down (nobody can use it)?"],
  ["workaround", "Is there a workaround users can take?"],
];

// A call returning result<T, plugin-error> returns T, and reports an error by throwing the
// plugin-error: `{ tag: "invalid-input" | "unsupported" | "failed", val: message }`.
// (An `Error` is not an error result: throwing one traps, which the host reports as a crash.
// An Error with a `payload` property works too: the payload is the plugin-error.)
function pluginError(tag, message) {
  return { tag, val: message };
}

// `text` lowercased, with every run of non-alphanumerics as one space, padded with spaces:
// " auth bypass " is then found in "Auth-bypass!" but "down" not in "download".
// (ASCII only: the engine has no Unicode property escapes such as \p{L}.)
function words(text) {
  return ` ${text.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean).join(" ")} `;
}

function assessment(level, reasons) {
  const [label, responseMinutes, deployWindow, approvalsRequired, skipStagingAllowed] =
    TABLE[level];
  return {
    severity: level,
    label,
    responseMinutes,
    deployWindow,
    reasons,
    approvalsRequired,
    skipStagingAllowed,
  };
}

// The export's name is the interface's: `severity`.
export const severity = {
  levels() {
    // An empty list: git-hotfix then uses its default P0-P3 table when a person picks a
    // level (`start --severity P1`). TABLE above agrees with that table.
    return [];
  },

  questions() {
    return QUESTIONS.map(([id, prompt]) => ({ id, prompt, kind: { tag: "yes-no" } }));
  },

  assess(incident) {
    const asked = QUESTIONS.map(([id]) => id);
    const answers = {};
    for (const { id, value } of incident.answers) {
      if (!asked.includes(id)) {
        throw pluginError(
          "unsupported",
          `this policy asks no question "${id}" (it asks: ${asked.join(", ")})`,
        );
      }
      const answer = value.trim().toLowerCase();
      if (answer !== "yes" && answer !== "no") {
        throw pluginError(
          "invalid-input",
          `the answer to "${id}" must be yes or no, not "${value}"`,
        );
      }
      answers[id] = answer;
    }

    const found = []; // [level, reason]
    const places = [
      ["title", incident.title],
      ["description", incident.description],
      ["labels", incident.labels.join(" ")],
    ];
    for (const [place, text] of places) {
      for (const [keyword, level, kind] of KEYWORDS) {
        if (words(text).includes(` ${keyword} `)) {
          const said =
            place === "labels" ? `labelled "${keyword}"` : `${place} mentions "${keyword}"`;
          found.push([level, `${said}: ${kind}`]);
        }
      }
    }
    if (answers.security === "yes") found.push(["p0", "answered: it is a security issue"]);
    if (answers.down === "yes") found.push(["p0", "answered: production is fully down"]);

    if (found.length === 0) {
      return assessment("p2", ["nothing urgent named: a major bug by default"]);
    }
    // The most urgent level wins, with the reasons for it.
    let level = URGENCY.find((l) => found.some(([f]) => f === l));
    const reasons = found.filter(([f]) => f === level).map(([, reason]) => reason);
    if (level === "p1" && answers.workaround === "yes") {
      level = "p2";
      reasons.push("a workaround exists: one level lower");
    }
    return assessment(level, reasons);
  },
};
