// {{name}}: the version lives in files named VERSION, one version on one line.
// writeVersion changes the version and nothing else (git-hotfix checks that it reads back).
// The contract is wit/plugin.wit, world version-files-policy. An error is thrown as a
// plugin-error (`{ tag: "invalid-input" | "unsupported" | "failed", val: message }`).

const NAME = "VERSION";

function fileName(path) {
  return path.split("/").pop();
}

// The one version the file holds.
function version(file) {
  if (fileName(file.path) !== NAME) {
    throw { tag: "unsupported", val: `${file.path} is not a ${NAME} file` };
  }
  const found = file.content.split(/\s+/).filter(Boolean);
  if (found.length === 0) {
    throw { tag: "invalid-input", val: `${file.path} is empty` };
  }
  if (found.length > 1) {
    throw {
      tag: "invalid-input",
      val: `${file.path} holds more than one word; it should hold the version alone`,
    };
  }
  return found[0];
}

export const versionFiles = {
  detect(paths) {
    return paths.filter((path) => fileName(path) === NAME);
  },

  readVersion(file) {
    return version(file);
  },

  writeVersion(file, next) {
    return file.content.replace(version(file), next);
  },
};
