"""{{name}}: the version lives in files named VERSION, one version on one line.

write_version changes the version and nothing else (git-hotfix checks that it reads back).
The contract is wit/plugin.wit, world version-files-policy.
"""

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports.types import File, PluginError_InvalidInput, PluginError_Unsupported

NAME = "VERSION"


def version(file: File) -> str:
    """The one version the file holds."""
    if file.path.rsplit("/", 1)[-1] != NAME:
        raise Err(PluginError_Unsupported(f"{file.path} is not a {NAME} file"))
    found = file.content.split()
    if not found:
        raise Err(PluginError_InvalidInput(f"{file.path} is empty"))
    if len(found) > 1:
        raise Err(PluginError_InvalidInput(
            f"{file.path} holds more than one word; it should hold the version alone"))
    return found[0]


class VersionFiles(exports.VersionFiles):
    def detect(self, paths: list[str]) -> list[str]:
        return [path for path in paths if path.rsplit("/", 1)[-1] == NAME]

    def read_version(self, file: File) -> str:
        return version(file)

    def write_version(self, file: File, new: str) -> str:
        return file.content.replace(version(file), new, 1)
