//! `plugin new`: a policy to start from — its source in Rust, Python or JavaScript, a build
//! script that builds it and runs its cases with git-hotfix, and the cases. Every kind and
//! language is built and passes its cases in CI (`scripts/build-examples.sh`), so what this
//! writes works as written.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use git_hotfix_plugin_host::CONTRACT_WIT;

use super::Kind;

use crate::context::Context;
use crate::error::{CommandError, Exit, Result};

/// Write a new policy: its source, a build script and cases it passes
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The directory to write it in (new, or empty); its name is the policy's
    pub dir: PathBuf,
    /// What the policy decides
    #[arg(long, value_enum)]
    pub kind: Kind,
    /// The language it is written in
    #[arg(long, value_enum)]
    pub lang: Lang,
    /// The policy's name, when the directory's is not one (lowercase letters, digits, `-`)
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Lang {
    Rust,
    Python,
    #[value(alias = "javascript")]
    Js,
}

/// `plugin new`: what was written, and the command that builds and tests it.
#[derive(serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct NewDocument<'a> {
    pub dir: &'a str,
    pub name: &'a str,
    pub kind: Kind,
    pub lang: Lang,
    /// The contract's world the policy is built for (`severity-policy`).
    pub world: &'a str,
    /// Paths relative to `dir`.
    pub files: &'a [&'a str],
    /// Builds the component, checks it and runs its cases.
    pub build: String,
    /// The component the build writes, relative to `dir`.
    pub component: String,
}

impl crate::document::Document for NewDocument<'_> {
    const NAME: &'static str = "plugin-new";
}

/// A file of a new policy: where it goes, and its text with `{{…}}` to fill in.
type Template = (&'static str, &'static str);

macro_rules! template {
    ($to:literal, $from:literal) => {
        ($to, include_str!(concat!("new/", $from)))
    };
}

fn templates(kind: Kind, lang: Lang) -> Vec<Template> {
    let mut files = vec![template!("README.md", "README.md")];
    files.extend(match (lang, kind) {
        (Lang::Rust, _) => vec![
            template!("Cargo.toml", "rust/Cargo.toml"),
            template!(".gitignore", "rust/gitignore"),
            template!("build.sh", "rust/build.sh"),
        ],
        (Lang::Python, _) => vec![
            template!(".gitignore", "python/gitignore"),
            template!("build.sh", "python/build.sh"),
            ("wit/plugin.wit", CONTRACT_WIT),
        ],
        (Lang::Js, _) => vec![
            template!("package.json", "js/package.json"),
            template!(".gitignore", "js/gitignore"),
            template!("build.sh", "js/build.sh"),
            ("wit/plugin.wit", CONTRACT_WIT),
        ],
    });
    files.extend(match (lang, kind) {
        (Lang::Rust, Kind::Severity) => vec![template!("src/lib.rs", "rust/severity.rs")],
        (Lang::Rust, Kind::VersionFiles) => vec![template!("src/lib.rs", "rust/version-files.rs")],
        (Lang::Rust, Kind::Deploy) => vec![template!("src/lib.rs", "rust/deploy.rs")],
        (Lang::Python, Kind::Severity) => vec![template!("app.py", "python/severity.py")],
        (Lang::Python, Kind::VersionFiles) => vec![template!("app.py", "python/version-files.py")],
        (Lang::Python, Kind::Deploy) => vec![template!("app.py", "python/deploy.py")],
        (Lang::Js, Kind::Severity) => vec![template!("policy.js", "js/severity.js")],
        (Lang::Js, Kind::VersionFiles) => vec![template!("policy.js", "js/version-files.js")],
        (Lang::Js, Kind::Deploy) => vec![template!("policy.js", "js/deploy.js")],
    });
    files.extend(match kind {
        Kind::Severity => vec![
            template!("cases/security.toml", "cases/severity/security.toml"),
            template!("cases/outage.toml", "cases/severity/outage.toml"),
            template!(
                "cases/nothing-named.toml",
                "cases/severity/nothing-named.toml"
            ),
            template!("cases/customers.toml", "cases/severity/customers.toml"),
            template!("cases/bad-answer.toml", "cases/severity/bad-answer.toml"),
        ],
        Kind::VersionFiles => vec![
            template!("cases/detect.toml", "cases/version-files/detect.toml"),
            template!("cases/read.toml", "cases/version-files/read.toml"),
            template!("cases/write.toml", "cases/version-files/write.toml"),
            template!("cases/empty.toml", "cases/version-files/empty.toml"),
        ],
        Kind::Deploy => vec![
            template!("cases/deploy.toml", "cases/deploy/deploy.toml"),
            template!("cases/verify.toml", "cases/deploy/verify.toml"),
            template!("cases/rollback.toml", "cases/deploy/rollback.toml"),
            template!("cases/no-previous.toml", "cases/deploy/no-previous.toml"),
        ],
    });
    files
}

/// A policy's name: lowercase ASCII letters, digits and `-`, starting with a letter (a
/// crate, a package and a file name alike).
fn name_of(given: Option<&str>, dir: &Path) -> std::result::Result<String, String> {
    let name = match given {
        Some(name) => name.to_string(),
        None => dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-');
    match valid {
        true => Ok(name),
        false => Err(name),
    }
}

pub fn cmd_new(context: &Context, args: NewArgs) -> Result<Exit> {
    let ui = &context.ui;
    let dir = context.cwd.join(&args.dir);
    let name = name_of(args.name.as_deref(), &dir).map_err(|name| {
        CommandError::usage(format!(
            "{name:?} is not a policy name: it must be lowercase letters, digits and `-`, starting with a letter"
        ))
        .hint("name it with `--name`, e.g. `--name strict-severity`")
    })?;
    let world = args.kind.world().world_name();
    let files: Vec<(&str, String)> = templates(args.kind, args.lang)
        .into_iter()
        .map(|(path, text)| {
            let text = text
                .replace("{{name}}", &name)
                .replace("{{crate}}", &name.replace('-', "_"))
                .replace("{{world}}", world)
                .replace("{{kind}}", args.kind.world().interface())
                .replace("{{lang}}", lang_name(args.lang));
            (path, text)
        })
        .collect();
    write_all(&dir, &files).map_err(|err| {
        CommandError::new(
            Exit::Error,
            format!("could not write the policy in {}", dir.display()),
        )
        .caused_by(&err)
    })?;

    let shown_dir = args.dir.display().to_string();
    let build = format!("{}/build.sh", shown_dir.trim_end_matches('/'));
    let component = format!("{name}.wasm");
    if !ui.json_mode() {
        ui.status(
            "Wrote",
            format!(
                "a {} policy in {}: {shown_dir} ({} files)",
                args.kind.world().interface(),
                lang_name(args.lang),
                files.len()
            ),
        );
        ui.out(format!(
            "Next: {build}   builds {component}, checks it and runs its cases; README.md says how to pin it"
        ));
    }
    let paths: Vec<&str> = files.iter().map(|(path, _)| *path).collect();
    let document = NewDocument {
        dir: &shown_dir,
        name: &name,
        kind: args.kind,
        lang: args.lang,
        world,
        files: &paths,
        build,
        component,
    };
    ui.conclude(&document, None)
}

fn lang_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Rust => "Rust",
        Lang::Python => "Python",
        Lang::Js => "JavaScript",
    }
}

/// Every file or none: they are written in a directory beside `dir`, which then takes its
/// place. An existing `dir` must be empty (nothing of the user's is overwritten).
fn write_all(dir: &Path, files: &[(&str, String)]) -> std::io::Result<()> {
    if let Ok(mut entries) = std::fs::read_dir(dir)
        && entries.next().is_some()
    {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "the directory is not empty: name a new one",
        ));
    }
    let parent = match dir.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(parent)?;
    let staging = tempfile::Builder::new()
        .prefix(".plugin-new-")
        .tempdir_in(parent)?;
    use std::os::unix::fs::PermissionsExt;
    // A directory of the user's, not a private one (tempdir makes it 0700).
    std::fs::set_permissions(staging.path(), std::fs::Permissions::from_mode(0o755))?;
    for (path, text) in files {
        let to = staging.path().join(path);
        if let Some(folder) = to.parent() {
            std::fs::create_dir_all(folder)?;
        }
        std::fs::write(&to, text)?;
        if *path == "build.sh" {
            std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o755))?;
        }
    }
    // rename(2) replaces an empty directory, and fails on one that filled meanwhile.
    std::fs::rename(staging.path(), dir)?;
    // The staging directory is now `dir`: nothing is left to remove.
    let _ = staging.keep();
    Ok(())
}
