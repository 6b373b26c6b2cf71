// {{name}}: deploy, verify and roll back with the team's script. A deploy asks first, then
// runs `scripts/deploy.sh ENVIRONMENT VERSION`; verifying polls `health-url` from
// [policies.deploy.settings]; a rollback deploys the version before. The program must be
// granted in .hotfix.toml ([policies.deploy] programs = ["scripts/deploy.sh"]).
// The contract is wit/plugin.wit, world deploy-policy. An error is thrown as a plugin-error
// (`{ tag: "invalid-input" | "unsupported" | "failed", val: message }`).

const SCRIPT = "scripts/deploy.sh";

function run(environment, version) {
  return {
    tag: "run",
    val: {
      argv: [SCRIPT, environment, version],
      env: [],
      timeoutSeconds: 600,
      description: `deploy ${version} to ${environment}`,
    },
  };
}

function setting(release, key) {
  const found = release.settings.find(([name]) => name === key);
  return found ? found[1] : undefined;
}

export const deploy = {
  plan(release, action) {
    const environment = release.environment;
    if (action === "deploy") {
      return [
        { tag: "confirm", val: `Deploy ${release.tag} to ${environment}?` },
        run(environment, release.version),
      ];
    }
    if (action === "verify") {
      const url = setting(release, "health-url");
      if (url === undefined) {
        throw {
          tag: "invalid-input",
          val: "no `health-url` setting: add it under [policies.deploy.settings]",
        };
      }
      return [
        { tag: "http-check", val: { url, expectStatus: 200, retries: 10, intervalSeconds: 6 } },
      ];
    }
    const previous = release.previousVersion;
    if (previous === undefined || previous === null) {
      throw {
        tag: "failed",
        val: `no version before ${release.version}: there is nothing to roll back to`,
      };
    }
    return [
      { tag: "confirm", val: `Roll ${environment} back from ${release.version} to ${previous}?` },
      run(environment, previous),
    ];
  },
};
