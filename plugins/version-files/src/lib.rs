//! The default version-files policy. Each file kind is searched for the byte range that
//! holds its version, and only that range is replaced: formatting, comments and key order
//! stay as they were.

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
        Kind::PackageJson => json_version(text).into_iter().collect(),
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

/// The string value of the top-level `"version"` key of a JSON document.
fn json_version(text: &str) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut expect_key = false;
    let mut key_is_version = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' | b'[' => {
                depth += 1;
                expect_key = bytes[i] == b'{' && depth == 1;
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b',' if depth == 1 => expect_key = true,
            b':' if depth == 1 => expect_key = false,
            b'"' => {
                let start = i + 1;
                let mut end = start;
                while end < bytes.len() && bytes[end] != b'"' {
                    end += if bytes[end] == b'\\' { 2 } else { 1 };
                }
                if depth == 1 {
                    if expect_key {
                        key_is_version = &text[start..end] == "version";
                    } else if key_is_version {
                        return Some(start..end);
                    }
                }
                i = end;
            }
            _ => {}
        }
        i += 1;
    }
    None
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
