//! {{name}}: the version lives in files named VERSION, one version on one line. `write`
//! changes the version and nothing else (git-hotfix checks that it reads back).

use git_hotfix_plugin_sdk::*;

struct Policy;

const NAME: &str = "VERSION";

impl VersionFilesPolicy for Policy {
    fn detect(paths: Vec<String>) -> Vec<String> {
        paths
            .into_iter()
            .filter(|path| path.rsplit('/').next() == Some(NAME))
            .collect()
    }

    fn read_version(file: File) -> Result<String, PluginError> {
        version(&file).map(str::to_owned)
    }

    fn write_version(file: File, version: String) -> Result<String, PluginError> {
        let old = self::version(&file)?;
        Ok(file.content.replacen(old, &version, 1))
    }
}

/// The one version the file holds.
fn version(file: &File) -> Result<&str, PluginError> {
    if file.path.rsplit('/').next() != Some(NAME) {
        return Err(PluginError::Unsupported(format!(
            "{} is not a {NAME} file",
            file.path
        )));
    }
    match file.content.split_whitespace().collect::<Vec<_>>()[..] {
        [version] => Ok(version),
        [] => Err(PluginError::InvalidInput(format!("{} is empty", file.path))),
        _ => Err(PluginError::InvalidInput(format!(
            "{} holds more than one word; it should hold the version alone",
            file.path
        ))),
    }
}

export_version_files_policy!(Policy);
