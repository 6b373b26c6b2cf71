// {{name}}: how urgent an incident is. Words in the title and description place it, and one
// question (do customers see it?) makes it one level more urgent. The levels' clocks are
// git-hotfix's workflow table (TABLE); the contract is wit/plugin.wit, world severity-policy.
//
// WIT values here: records are objects with camelCase fields, enums their WIT names as
// strings ("p0", "same-day"), variants `{ tag, val }`. An error is thrown as a plugin-error
// (`{ tag: "invalid-input" | "unsupported" | "failed", val: message }`); throwing an Error
// is a crash.

// Each level: its label, minutes to respond, deploy window, approvals, staging may be skipped.
const TABLE = {
  p0: ["security vulnerability", 120, "immediate", 0, true],
  p1: ["production down", 240, "same-day", 1, false],
  p2: ["major bug", 24 * 60, "next-business-day", 1, false],
  p3: ["business critical", 48 * 60, "scheduled", 1, false],
};

// Words that place an incident, most urgent first: [word, level, what it means].
const WORDS = [
  ["security", "p0", "a security hole"],
  ["bypass", "p0", "a security hole"],
  ["leak", "p0", "data exposed"],
  ["outage", "p1", "production down"],
  ["down", "p1", "production down"],
  ["crash", "p1", "a crash"],
];

const MORE_URGENT = { p0: "p0", p1: "p0", p2: "p1", p3: "p2" };

// `text` lowercased, each run of other characters one space, padded with spaces: " down "
// is found in "Site down!" but not in "download". (ASCII: the engine has no \p{L}.)
function words(text) {
  return ` ${text.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean).join(" ")} `;
}

function level(severity, reasons) {
  const [label, responseMinutes, deployWindow, approvalsRequired, skipStagingAllowed] =
    TABLE[severity];
  return {
    severity,
    label,
    responseMinutes,
    deployWindow,
    reasons,
    approvalsRequired,
    skipStagingAllowed,
  };
}

export const severity = {
  // None: git-hotfix then uses its workflow table, which TABLE agrees with.
  levels() {
    return [];
  },

  questions() {
    return [{ id: "customers", prompt: "Do customers see it?", kind: { tag: "yes-no" } }];
  },

  assess(incident) {
    let customers = false;
    for (const answer of incident.answers) {
      if (answer.id !== "customers") {
        throw { tag: "unsupported", val: `this policy asks no question "${answer.id}"` };
      }
      if (answer.value !== "yes" && answer.value !== "no") {
        throw {
          tag: "invalid-input",
          val: `the answer to "customers" is yes or no, not "${answer.value}"`,
        };
      }
      customers = answer.value === "yes";
    }

    const text = words(`${incident.title} ${incident.description}`);
    const found = WORDS.find(([word]) => text.includes(` ${word} `));
    let severity = "p2";
    const reasons = ["nothing urgent named: a major bug"];
    if (found) {
      const [word, placed, meaning] = found;
      severity = placed;
      reasons[0] = `title mentions "${word}": ${meaning}`;
    }
    if (customers) {
      severity = MORE_URGENT[severity];
      reasons.push("customers see it: one level more urgent");
    }
    return level(severity, reasons);
  },
};
