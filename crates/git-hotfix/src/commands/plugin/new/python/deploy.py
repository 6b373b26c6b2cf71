"""{{name}}: deploy, verify and roll back with the team's script.

A deploy asks first, then runs `scripts/deploy.sh ENVIRONMENT VERSION`; verifying polls
`health-url` from [policies.deploy.settings]; a rollback deploys the version before. The
program must be granted in .hotfix.toml ([policies.deploy] programs = ["scripts/deploy.sh"]).
The contract is wit/plugin.wit, world deploy-policy.
"""

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports.types import (
    Action,
    HttpCheck,
    PluginError_Failed,
    PluginError_InvalidInput,
    Release,
    RunStep,
    Step,
    Step_Confirm,
    Step_HttpCheck,
    Step_Run,
)

SCRIPT = "scripts/deploy.sh"


def deploy(environment: str, version: str) -> Step:
    return Step_Run(RunStep([SCRIPT, environment, version], [], 600,
                            f"deploy {version} to {environment}"))


def setting(release: Release, key: str) -> str | None:
    return next((value for name, value in release.settings if name == key), None)


class Deploy(exports.Deploy):
    def plan(self, release: Release, action: Action) -> list[Step]:
        environment = release.environment
        if action == Action.DEPLOY:
            return [Step_Confirm(f"Deploy {release.tag} to {environment}?"),
                    deploy(environment, release.version)]
        if action == Action.VERIFY:
            url = setting(release, "health-url")
            if url is None:
                raise Err(PluginError_InvalidInput(
                    "no `health-url` setting: add it under [policies.deploy.settings]"))
            return [Step_HttpCheck(HttpCheck(url, 200, 10, 6))]
        previous = release.previous_version
        if previous is None:
            raise Err(PluginError_Failed(
                f"no version before {release.version}: there is nothing to roll back to"))
        return [Step_Confirm(f"Roll {environment} back from {release.version} to {previous}?"),
                deploy(environment, previous)]
