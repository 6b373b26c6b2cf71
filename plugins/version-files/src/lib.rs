//! The default version-files policy. Each file kind is searched for the byte range that
//! holds its version, and only that range is replaced: formatting, comments and key order
//! stay as they were.
//!
//! Lock files that record the project's own version are version files too, so that a
//! release does not leave them stale (`cargo --locked` and `npm ci` refuse a lock that
//! disagrees with its manifest): `package-lock.json` (the root package), `uv.lock` (the
//! package at `.`) and `Cargo.lock` (the local packages, see [`cargo_lock_versions`]).

use std::ops::Range;

use git_hotfix_plugin_sdk::*;

struct Files;

#[derive(Clone, Copy)]
enum Kind {
    Cargo,
    PackageJson,
    Pubspec,
    Pyproject,
    Plain,
    Chart,
    Gradle,
    CargoLock,
    PackageLock,
    UvLock,
}

fn kind_of(path: &str) -> Option<Kind> {
    let name = path.rsplit('/').next().unwrap_or(path);
    Some(match name {
        "Cargo.toml" => Kind::Cargo,
        "package.json" => Kind::PackageJson,
        "pubspec.yaml" => Kind::Pubspec,
        "pyproject.toml" => Kind::Pyproject,
        "VERSION" | "version.txt" => Kind::Plain,
        "Chart.yaml" => Kind::Chart,
        "gradle.properties" => Kind::Gradle,
        "Cargo.lock" => Kind::CargoLock,
        "package-lock.json" | "npm-shrinkwrap.json" => Kind::PackageLock,
        "uv.lock" => Kind::UvLock,
        _ => return None,
    })
}

fn invalid(path: &str, what: &str) -> PluginError {
    PluginError::InvalidInput(format!("{path}: {what}"))
}

/// The byte ranges holding the version; the first is the one read.
fn locate(kind: Kind, file: &File) -> Result<Vec<Range<usize>>, PluginError> {
    let text = &file.content;
    let ranges = match kind {
        Kind::Cargo => toml_versions(text, &["package", "workspace.package"]),
        Kind::Pyproject => toml_versions(text, &["project", "tool.poetry"]),
        Kind::PackageJson => json_string(text, &["version"]).into_iter().collect(),
        // lockfileVersion 1 has only the top-level version; 2 and 3 repeat it in the root
        // package, `packages[""]`.
        Kind::PackageLock => [&["version"][..], &["packages", "", "version"]]
            .into_iter()
            .filter_map(|path| json_string(text, path))
            .collect(),
        Kind::CargoLock => cargo_lock_versions(text),
        Kind::UvLock => lock_packages(text)
            .into_iter()
            .filter(|p| {
                let source = p.source.replace(' ', "");
                source.contains("editable=\".\"") || source.contains("virtual=\".\"")
            })
            .map(|p| p.version)
            .collect(),
        Kind::Pubspec => yaml_values(text, "version"),
        Kind::Chart => {
            let mut ranges = yaml_values(text, "version");
            // appVersion follows the chart's version only where the two were the same.
            if let Some(version) = ranges.first().map(|r| &text[r.clone()]) {
                ranges.extend(
                    yaml_values(text, "appVersion")
                        .into_iter()
                        .filter(|r| &text[r.clone()] == version),
                );
            }
            ranges
        }
        Kind::Gradle => properties_value(text, "version").into_iter().collect(),
        Kind::Plain => {
            let start = text.len() - text.trim_start().len();
            let end = start + text[start..].lines().next().unwrap_or("").trim_end().len();
            Some(start..end)
                .filter(|range| !range.is_empty())
                .into_iter()
                .collect()
        }
    };
    if ranges.is_empty() {
        return Err(invalid(&file.path, "no version found"));
    }
    Ok(ranges)
}

/// Line-by-line through a TOML file: `version = "…"` in one of `tables`.
fn toml_versions(text: &str, tables: &[&str]) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut table = String::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            let inner = trimmed.trim_start_matches('[');
            table = inner[..inner.find(']').unwrap_or(inner.len())]
                .trim()
                .to_string();
            continue;
        }
        if !tables.contains(&table.as_str()) {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        if key.trim() != "version" {
            continue;
        }
        let value_start = start + key.len() + 1;
        if let Some(range) = quoted(value_start - start, value) {
            ranges.push(start + range.start..start + range.end);
        }
    }
    ranges
}

/// The range inside the quotes of a value that starts at `at` in `line`.
fn quoted(at: usize, value: &str) -> Option<Range<usize>> {
    let skipped = value.len() - value.trim_start().len();
    let rest = value.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let close = rest[1..].find(quote)?;
    let begin = at + skipped + 1;
    Some(begin..begin + close)
}

/// The range of the string at `path` (object keys from the top) in a JSON document.
fn json_string(text: &str, path: &[&str]) -> Option<Range<usize>> {
    let mut json = Json {
        bytes: text.as_bytes(),
        at: 0,
    };
    json.value(Some(path)).flatten()
}

/// Just enough of a JSON reader to find one string: values off the path are skipped.
struct Json<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Json<'_> {
    fn skip_space(&mut self) {
        while self.bytes.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    /// The range inside the quotes of the string at the cursor, which moves past it.
    fn string(&mut self) -> Option<Range<usize>> {
        self.skip_space();
        if self.bytes.get(self.at) != Some(&b'"') {
            return None;
        }
        let start = self.at + 1;
        let mut end = start;
        while *self.bytes.get(end)? != b'"' {
            end += if self.bytes[end] == b'\\' { 2 } else { 1 };
        }
        self.at = end + 1;
        Some(start..end)
    }

    /// Moves past the value at the cursor; `None` when the document ends early. Inside,
    /// the range of the string `path` leads to (`Some(&[])`: this value, if a string).
    fn value(&mut self, path: Option<&[&str]>) -> Option<Option<Range<usize>>> {
        self.skip_space();
        match *self.bytes.get(self.at)? {
            b'"' => {
                let range = self.string()?;
                Some(path.filter(|p| p.is_empty()).map(|_| range))
            }
            open @ (b'{' | b'[') => {
                let close = if open == b'{' { b'}' } else { b']' };
                self.at += 1;
                let mut found = None;
                loop {
                    self.skip_space();
                    if *self.bytes.get(self.at)? == close {
                        self.at += 1;
                        return Some(found);
                    }
                    let mut inner = None;
                    if open == b'{' {
                        let key = self.string()?;
                        self.skip_space();
                        if *self.bytes.get(self.at)? != b':' {
                            return None;
                        }
                        self.at += 1;
                        inner = path
                            .and_then(|p| p.split_first())
                            .filter(|(first, _)| self.bytes[key.clone()] == *first.as_bytes())
                            .map(|(_, rest)| rest);
                    }
                    found = found.or(self.value(inner)?);
                    self.skip_space();
                    if self.bytes.get(self.at) == Some(&b',') {
                        self.at += 1;
                    }
                }
            }
            // A number, true, false or null.
            _ => {
                while self
                    .bytes
                    .get(self.at)
                    .is_some_and(|b| !b",}]".contains(b) && !b.is_ascii_whitespace())
                {
                    self.at += 1;
                }
                Some(None)
            }
        }
    }
}

/// One `[[package]]` table of a lock file: its version's range and its `source` as written.
struct LockPackage {
    version: Range<usize>,
    source: String,
}

/// The `[[package]]` tables of a TOML lock file (Cargo.lock, uv.lock), line by line.
fn lock_packages(text: &str) -> Vec<LockPackage> {
    let mut packages = Vec::new();
    let mut current: Option<(Option<Range<usize>>, String)> = None;
    let mut offset = 0;
    let mut finish = |current: Option<(Option<Range<usize>>, String)>| {
        if let Some((Some(version), source)) = current {
            packages.push(LockPackage { version, source });
        }
    };
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            finish(current.take());
            if trimmed == "[[package]]" {
                current = Some((None, String::new()));
            }
            continue;
        }
        let (Some((version, source)), Some((key, value))) = (&mut current, line.split_once('='))
        else {
            continue;
        };
        match key.trim() {
            "version" if version.is_none() => {
                *version = quoted(key.len() + 1, value).map(|r| start + r.start..start + r.end);
            }
            "source" => *source = value.trim().to_string(),
            _ => {}
        }
    }
    finish(current);
    packages
}

/// The project's own packages in a Cargo.lock are the local ones (no `source`: workspace
/// members and path dependencies). The lock does not say which of them the release is, so
/// those at the version most of them share move (on a tie, the first one's): a workspace
/// with one version moves whole, and a path dependency with a version of its own stays.
fn cargo_lock_versions(text: &str) -> Vec<Range<usize>> {
    let local: Vec<Range<usize>> = lock_packages(text)
        .into_iter()
        .filter(|p| p.source.is_empty())
        .map(|p| p.version)
        .collect();
    let count = |version: &str| {
        local
            .iter()
            .filter(|r| &text[(*r).clone()] == version)
            .count()
    };
    let Some(chosen) = local
        .iter()
        .map(|r| &text[r.clone()])
        .reduce(|best, v| if count(v) > count(best) { v } else { best })
    else {
        return Vec::new();
    };
    local
        .iter()
        .filter(|r| &text[(*r).clone()] == chosen)
        .cloned()
        .collect()
}

/// Top-level `key: value` lines of a YAML file (the value without quotes or comment).
fn yaml_values(text: &str, key: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let Some(rest) = line.strip_prefix(key).and_then(|r| r.strip_prefix(':')) else {
            continue;
        };
        let value_at = start + key.len() + 1;
        let value = rest.split('#').next().unwrap_or("").trim_end();
        if let Some(range) = quoted(value_at - start, value) {
            ranges.push(start + range.start..start + range.end);
        } else {
            let skipped = value.len() - value.trim_start().len();
            let value = value.trim();
            if !value.is_empty() {
                let begin = value_at + skipped;
                ranges.push(begin..begin + value.len());
            }
        }
    }
    ranges
}

/// `key=value` (or `key = value`, `key: value`) in a Java properties file.
fn properties_value(text: &str, key: &str) -> Option<Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let Some(rest) = trimmed.strip_prefix(key) else {
            continue;
        };
        let Some(separator) = rest.find(['=', ':']) else {
            continue;
        };
        if !rest[..separator].trim().is_empty() {
            continue;
        }
        let value = &rest[separator + 1..];
        let skipped = value.len() - value.trim_start().len();
        let value = value.trim();
        let begin = start + indent + key.len() + separator + 1 + skipped;
        return Some(begin..begin + value.len());
    }
    None
}

/// A pubspec's build number moves with the version: `0.1.0+5` becomes `0.1.1+6`.
fn pubspec_version(old: &str, new: &str) -> String {
    if new.contains('+') {
        return new.to_string();
    }
    match old.split_once('+').map(|(_, build)| build.parse::<u64>()) {
        Some(Ok(build)) => format!("{new}+{}", build + 1),
        _ => new.to_string(),
    }
}

impl VersionFilesPolicy for Files {
    fn detect(paths: Vec<String>) -> Vec<String> {
        paths.into_iter().filter(|p| kind_of(p).is_some()).collect()
    }

    fn read_version(file: File) -> Result<String, PluginError> {
        let kind = kind_of(&file.path).ok_or_else(|| {
            PluginError::Unsupported(format!("{}: not a version file", file.path))
        })?;
        let ranges = locate(kind, &file)?;
        Ok(file.content[ranges[0].clone()].to_string())
    }

    fn write_version(file: File, version: String) -> Result<String, PluginError> {
        let kind = kind_of(&file.path).ok_or_else(|| {
            PluginError::Unsupported(format!("{}: not a version file", file.path))
        })?;
        let ranges = locate(kind, &file)?;
        let mut out = file.content.clone();
        // Last first, so the earlier ranges stay where they are.
        for range in ranges.into_iter().rev() {
            let new = match kind {
                Kind::Pubspec => pubspec_version(&file.content[range.clone()], &version),
                _ => version.clone(),
            };
            out.replace_range(range, &new);
        }
        Ok(out)
    }
}

export_version_files_policy!(Files);

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &str, content: &str, version: &str) -> String {
        Files::write_version(
            File {
                path: path.into(),
                content: content.into(),
            },
            version.into(),
        )
        .unwrap()
    }

    #[test]
    fn cargo_keeps_everything_but_the_version() {
        let before = "# the app\n[package]\nname = \"x\"\nversion = \"1.2.3\" # bumped by hotfix\n\n[dependencies]\nversion-check = { version = \"9.9.9\" }\n";
        let after = write("Cargo.toml", before, "1.2.4");
        assert_eq!(after, before.replace("\"1.2.3\"", "\"1.2.4\""));
        let workspace = "[workspace]\nmembers = []\n\n[workspace.package]\nversion='0.3.0'\n";
        assert_eq!(
            write("Cargo.toml", workspace, "0.3.1"),
            workspace.replace("0.3.0", "0.3.1")
        );
    }

    #[test]
    fn package_json_only_the_top_level_version() {
        let before = "{\n  \"name\": \"web\",\n  \"dependencies\": { \"version\": \"1.0.0\" },\n  \"version\": \"0.1.0\",\n  \"private\": true\n}\n";
        let after = write("web/package.json", before, "0.1.1");
        assert_eq!(after, before.replace("\"0.1.0\"", "\"0.1.1\""));
    }

    #[test]
    fn pubspec_moves_the_build_number() {
        let before = "name: app\nversion: 0.1.0+5 # store build\nenvironment:\n  sdk: '>=3.0.0'\n";
        assert_eq!(
            write("pubspec.yaml", before, "0.1.1"),
            before.replace("0.1.0+5", "0.1.1+6")
        );
    }

    #[test]
    fn package_lock_moves_the_root_package_only() {
        let before = r#"{
  "name": "web",
  "version": "0.1.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": { "name": "web", "version": "0.1.0", "dependencies": { "left-pad": "^1.0.0" } },
    "node_modules/left-pad": { "version": "0.1.0", "resolved": "https://x/l.tgz", "dev": false }
  }
}
"#;
        let after = write("package-lock.json", before, "0.1.1");
        assert_eq!(
            after,
            before
                .replacen("\"0.1.0\"", "\"0.1.1\"", 2)
                .replace("\"0.1.1\", \"resolved", "\"0.1.0\", \"resolved")
        );
        assert_eq!(after.matches("0.1.1").count(), 2);
        // lockfileVersion 1: the top-level version only; `dependencies` are left alone.
        let v1 = "{\"name\":\"web\",\"dependencies\":{\"x\":{\"version\":\"2.0.0\"}},\"version\":\"2.0.0\",\"lockfileVersion\":1}";
        assert_eq!(
            write("npm-shrinkwrap.json", v1, "2.0.1"),
            v1.replace(
                "\"version\":\"2.0.0\",\"lock",
                "\"version\":\"2.0.1\",\"lock"
            )
        );
    }

    #[test]
    fn cargo_lock_moves_the_local_packages_at_the_project_s_version() {
        let before = "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"1.2.3\"\ndependencies = [\"serde\"]\n\n[[package]]\nname = \"app-core\"\nversion = \"1.2.3\"\n\n[[package]]\nname = \"vendored\"\nversion = \"0.4.0\"\n\n[[package]]\nname = \"serde\"\nversion = \"1.2.3\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"ab\"\n";
        let after = write("Cargo.lock", before, "1.2.4");
        assert_eq!(after.matches("\"1.2.4\"").count(), 2, "{after}");
        assert!(after.contains("name = \"serde\"\nversion = \"1.2.3\""));
        assert!(after.contains("name = \"vendored\"\nversion = \"0.4.0\""));
        assert!(after.starts_with("version = 4\n"));
        assert_eq!(
            Files::read_version(File {
                path: "Cargo.lock".into(),
                content: before.into()
            })
            .unwrap(),
            "1.2.3"
        );
    }

    #[test]
    fn uv_lock_moves_the_project_at_the_root() {
        let before = "version = 1\n\n[[package]]\nname = \"api\"\nversion = \"3.0.0\"\nsource = { editable = \".\" }\n\n[[package]]\nname = \"idna\"\nversion = \"3.0.0\"\nsource = { registry = \"https://pypi.org/simple\" }\n";
        let after = write("uv.lock", before, "3.0.1");
        assert_eq!(after, before.replacen("3.0.0", "3.0.1", 1));
    }

    #[test]
    fn the_other_kinds() {
        assert_eq!(write("VERSION", "1.2.3\n", "1.2.4"), "1.2.4\n");
        assert_eq!(
            write("gradle.properties", "group=x\nversion = 1.2.3\n", "1.2.4"),
            "group=x\nversion = 1.2.4\n"
        );
        let chart = "apiVersion: v2\nversion: 1.2.3\nappVersion: \"1.2.3\"\n";
        assert_eq!(
            write("Chart.yaml", chart, "1.2.4"),
            "apiVersion: v2\nversion: 1.2.4\nappVersion: \"1.2.4\"\n"
        );
        let py = "[project]\nname = \"x\"\nversion = \"2.0.0\"\n";
        assert_eq!(
            write("pyproject.toml", py, "2.0.1"),
            py.replace("2.0.0", "2.0.1")
        );
    }
}
