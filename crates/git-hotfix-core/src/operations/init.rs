//! `init`: a starting `.hotfix.toml`, written from what the repository already does.

use std::collections::BTreeMap;
use std::path::PathBuf;

use gix::bstr::ByteSlice;

use crate::foundation::error::{Error, GitContext, Result};
use crate::foundation::names::{self, TAG_PREFIX};
use crate::foundation::version::Version;
use crate::git::repo::Repo;
use crate::git::tags::TagPattern;
use crate::settings::config::{self, FILE_NAME};
use crate::settings::policy::VersionFiles;

/// What `init` found in the repository.
#[derive(Debug, Clone, Default, serde::Serialize, schemars::JsonSchema)]
pub struct Detected {
    pub production_branch: String,
    pub develop_branch: Option<String>,
    pub release_branches: Vec<String>,
    pub tag_pattern: String,
    /// Products seen in tags like `api/prod-v1.2.3`.
    pub products: Vec<String>,
    /// How many tags follow the chosen pattern.
    pub tags_matched: usize,
    /// Version files the version-files policy handles, outside the root (where `finish`
    /// finds them by itself), for the repository's own release.
    pub version_files: Vec<String>,
    /// Version files found in each product's directory.
    pub product_files: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct InitPlan {
    pub path: PathBuf,
    pub detected: Detected,
    pub text: String,
    /// The file exists and `--force` replaces it.
    pub replaces: bool,
}

/// Release-line naming schemes we recognise, as globs.
const LINE_GLOBS: &[&str] = &["release/*", "releases/*", "support/*", "maintenance/*"];

/// Directories whose files are someone else's: dependencies and build output.
const NOT_OURS: &[&str] = &[
    "node_modules",
    "vendor",
    "third_party",
    "target",
    "build",
    "dist",
    ".dart_tool",
];

/// The files of the production branch's tip the version-files policy handles.
fn version_files_in(repo: &Repo, branch: &str, policy: &dyn VersionFiles) -> Result<Vec<String>> {
    let Some(tip) = repo.branch_tip(branch)? else {
        return Ok(Vec::new());
    };
    let context = || format!("could not list the files of {branch}");
    let tree = repo.git.find_tree(repo.tree_of(tip)?).context(context)?;
    let mut recorder = gix::traverse::tree::Recorder::default();
    tree.traverse()
        .breadthfirst(&mut recorder)
        .context(context)?;
    let paths: Vec<String> = recorder
        .records
        .into_iter()
        .filter(|entry| entry.mode.is_blob())
        .map(|entry| entry.filepath.to_string())
        .filter(|path| !path.split('/').any(|part| NOT_OURS.contains(&part)))
        .collect();
    crate::settings::policy::detected(policy, &paths)
}

/// The files of `found` in the shallowest directories that `matches`.
fn shallowest(found: &[String], matches: impl Fn(&str) -> bool) -> Vec<String> {
    let depth = |path: &str| path.matches('/').count();
    let chosen: Vec<&String> = found.iter().filter(|p| matches(p)).collect();
    let Some(least) = chosen.iter().map(|p| depth(p)).min() else {
        return Vec::new();
    };
    chosen
        .into_iter()
        .filter(|p| depth(p) == least)
        .cloned()
        .collect()
}

/// Whether a directory of `path` is named as `product` is (`apps/staff_mobile/…` for
/// `staff-mobile`).
fn in_product_directory(path: &str, product: &str) -> bool {
    let wanted = names::words(product);
    let parts: Vec<&str> = path.split('/').collect();
    parts[..parts.len() - 1]
        .iter()
        .any(|dir| names::words(dir) == wanted)
}

pub fn detect(repo: &Repo, policy: Option<&dyn VersionFiles>) -> Result<Detected> {
    let mut detected = Detected {
        production_branch: "main".into(),
        ..Default::default()
    };
    let head_branch = repo.current_branch().ok().map(|(name, _)| name);
    detected.production_branch = ["main", "master", "production", "prod"]
        .iter()
        .find(|b| repo.branch_tip(b).ok().flatten().is_some())
        .map(|b| b.to_string())
        .or(head_branch)
        .unwrap_or_else(|| "main".into());
    detected.develop_branch = ["develop", "development", "dev"]
        .iter()
        .find(|b| repo.branch_tip(b).ok().flatten().is_some())
        .map(|b| b.to_string());
    for glob in LINE_GLOBS {
        if !repo.branches_matching(glob)?.is_empty() {
            detected.release_branches.push(glob.to_string());
        }
    }

    // Count which tag pattern the existing tags follow.
    let context = || "could not list tags".to_string();
    let platform = repo.git.references().context(context)?;
    let mut names = Vec::new();
    for reference in platform.tags().context(context)? {
        let reference = reference.context(context)?;
        let name = reference.name().as_bstr().to_str_lossy();
        names.push(name.strip_prefix(TAG_PREFIX).unwrap_or(&name).to_string());
    }
    let candidates = ["v{version}", "{version}", "release-{version}"];
    let mut best = ("v{version}", 0);
    for candidate in candidates {
        let pattern = TagPattern::parse(candidate).expect("valid candidate");
        let count = names
            .iter()
            .filter(|n| matches!(pattern.version_of(n, None), Some(Ok(_))))
            .count();
        if count > best.1 {
            best = (candidate, count);
        }
    }
    let mut products: BTreeMap<String, usize> = BTreeMap::new();
    for name in &names {
        if let Some((product, rest)) = name.split_once('/')
            && let Some(version) = rest.strip_prefix("prod-v")
            && Version::parse(version).is_some()
        {
            *products.entry(product.to_string()).or_default() += 1;
        }
    }
    let product_tags: usize = products.values().sum();
    if product_tags > best.1 {
        detected.tag_pattern = config::DEFAULT_PRODUCT_TAG_PATTERN.into();
        detected.tags_matched = product_tags;
        detected.products = products.into_keys().collect();
    } else {
        detected.tag_pattern = best.0.into();
        detected.tags_matched = best.1;
    }
    if let Some(policy) = policy {
        let found = version_files_in(repo, &detected.production_branch, policy)?;
        for product in &detected.products {
            let files = shallowest(&found, |path| in_product_directory(path, product));
            if !files.is_empty() {
                detected.product_files.insert(product.clone(), files);
            }
        }
        // At the root, `finish` finds them by itself; elsewhere they must be named.
        if detected.products.is_empty() && !found.iter().any(|p| !p.contains('/')) {
            detected.version_files = shallowest(&found, |_| true);
        }
    }
    Ok(detected)
}

/// The commented file for what was detected.
pub fn render(detected: &Detected) -> String {
    let quote = |s: &str| format!("{s:?}");
    let mut out = String::new();
    out.push_str(
        "# git-hotfix settings, shared by the team.\n\
         #\n\
         # Commit this file on the production branch: git hotfix reads it from there, so the\n\
         # same rules apply even while you fix an old release line. Override a key locally with\n\
         # `git config hotfix.<key> <value>` (e.g. hotfix.productionBranch), or for one command\n\
         # with `git hotfix -c <key>=<value> ...`.\n\n",
    );
    out.push_str("# The branch that holds what runs in production.\n");
    out.push_str(&format!(
        "production-branch = {}\n\n",
        quote(&detected.production_branch)
    ));
    out.push_str("# Where finished hotfixes are merged back for ongoing work (remove to skip).\n");
    match &detected.develop_branch {
        Some(develop) => out.push_str(&format!("develop-branch = {}\n\n", quote(develop))),
        None => out.push_str("# develop-branch = \"develop\"\n\n"),
    }
    out.push_str("# Maintained release lines, as globs: older lines receive fixes by backport.\n");
    let lines: Vec<String> = detected.release_branches.iter().map(|g| quote(g)).collect();
    if lines.is_empty() {
        out.push_str("# release-branches = [\"release/*\"]\n\n");
    } else {
        out.push_str(&format!("release-branches = [{}]\n\n", lines.join(", ")));
    }
    out.push_str("# Hotfix branch names. Placeholders: {ticket} {slug} {product} {version}.\n");
    out.push_str(&format!(
        "branch-template = {}\n\n",
        quote(names::BranchTemplate::DEFAULT)
    ));
    out.push_str("# Release tag names. Placeholders: {version}, and {product} in a monorepo.\n");
    out.push_str(&format!(
        "tag-pattern = {}\n\n",
        quote(&detected.tag_pattern)
    ));
    out.push_str("# The remote that `finish --push` pushes to.\n");
    out.push_str(&format!("remote = {}\n\n", quote(config::DEFAULT_REMOTE)));
    out.push_str(
        "# The changelog the release commit adds to (without this key: CHANGELOG.md when it\n\
         # exists; \"\" for none), and its format: keep-a-changelog, table, or auto.\n\
         # changelog = \"CHANGELOG.md\"\n\
         # changelog-format = \"auto\"\n\
         # Messages. Placeholders: {version} {ticket} {description} {severity} {date} {product} {tag}.\n\
         # release-message = \"Release {version} ({ticket})\"\n\
         # tag-message = \"Hotfix {version}: {description}\"\n\
         # changelog-entry = \"{description} ({ticket}, {severity})\"\n",
    );
    let list = |files: &[String]| {
        files
            .iter()
            .map(|f| quote(f))
            .collect::<Vec<_>>()
            .join(", ")
    };
    out.push_str(
        "\n# The files whose version `finish` moves (a lock file that records it too, like\n\
         # package-lock.json or Cargo.lock, goes with its manifest). Without this key: those at\n\
         # the root.\n",
    );
    if detected.version_files.is_empty() {
        out.push_str("# version-files = [\"app/pubspec.yaml\"]\n");
    } else {
        out.push_str(&format!(
            "version-files = [{}]\n",
            list(&detected.version_files)
        ));
    }
    out.push_str(
        "\n# The project's own checks, run on the fix before `finish`: tests, type check, build.\n\
         # checks = [\"npm test\", \"npm run typecheck\", \"npm run build\"]\n\
         # How production is merged (ff, ff-only, no-ff), whether there is a staging\n\
         # environment, and how long production is watched after it is verified.\n\
         # merge = \"ff\"\n\
         # staging = true\n\
         # monitoring = \"30m\"\n",
    );
    if detected.products.is_empty() {
        out.push_str(
            "\n# In a monorepo, one table per product:\n\
             # [products.api]\n\
             # tag-pattern = \"api/prod-v{version}\"\n\
             # version-files = [\"services/api/package.json\"]\n",
        );
    } else {
        for product in &detected.products {
            out.push_str(&format!("\n[products.{product}]\n"));
            match detected.product_files.get(product) {
                Some(files) => out.push_str(&format!("version-files = [{}]\n", list(files))),
                None => out.push_str(&format!(
                    "# no version file found in a directory named {product}:\n# version-files = [\"{product}/package.json\"]\n"
                )),
            }
        }
    }
    out.push_str(
        "\n# The team's own severity levels, most urgent first (else the built-in P0-P3): their\n\
         # names, times and the words that place an incident.\n\
         # [[severity-levels]]\n\
         # name = \"CRITICAL\"\n\
         # respond-within = \"1h\"\n\
         # criteria = [\"service down\", \"data loss\", \"security\"]\n\
         # [[severity-levels]]\n\
         # name = \"HIGH\"\n\
         # respond-within = \"4h\"\n\
         \n# Who is called in, how long after detection, while the incident is open: `status`\n\
         # says when one is due, `git hotfix check escalated` records it.\n\
         # [[escalation]]\n\
         # after = \"15m\"\n\
         # to = \"senior engineer\"\n\
         # [[escalation]]\n\
         # after = \"30m\"\n\
         # to = \"engineering manager\"\n\
         # [[escalation]]\n\
         # after = \"1h\"\n\
         # to = \"incident commander\"\n",
    );
    out.push_str(
        "\n# Deploy steps: commands (argv, no shell) and a health URL, allowed by name here.\n\
         # A list runs command after command: a blue-green or rolling deploy.\n\
         # [policies.deploy]\n\
         # plugin = \"builtin:deploy\"\n\
         # commands = [\"./deploy/*.sh\"]\n\
         # http = [\"https://app.example.com/\"]\n\
         # [policies.deploy.settings]\n\
         # health-url = \"https://app.example.com/health\"\n\
         # verify = \"./deploy/smoke.sh {environment} {version}\"\n\
         # rollback = \"./deploy/rollback.sh {environment} {previous}\"\n\
         # rollback-flag = \"./deploy/flags.sh off {flag}\"\n\
         # [policies.deploy.settings.staging]\n\
         # deploy = \"./deploy/staging.sh {version}\"\n\
         # [policies.deploy.settings.production]\n\
         # checklist = [\"backup done\", \"rollback plan ready\", \"people on call\"]\n\
         # deploy = [\"./deploy/green.sh {version}\", \"./deploy/switch.sh green\"]\n",
    );
    out
}

/// What `init` would write; `policy` finds the version files (none looked for without).
pub fn plan(repo: &Repo, force: bool, policy: Option<&dyn VersionFiles>) -> Result<InitPlan> {
    let root = repo.workdir().ok_or(Error::BareRepository {
        action: "write .hotfix.toml into",
    })?;
    let path = root.join(FILE_NAME);
    let replaces = path.exists();
    if replaces && !force {
        return Err(Error::FileExists { path });
    }
    let detected = detect(repo, policy)?;
    let text = render(&detected);
    Ok(InitPlan {
        path,
        detected,
        text,
        replaces,
    })
}

pub fn execute(plan: &InitPlan) -> Result<()> {
    crate::records::journal::write_atomically(&plan.path, plan.text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_files_are_valid_configuration() {
        let plain = Detected {
            production_branch: "main".into(),
            develop_branch: Some("develop".into()),
            release_branches: vec!["release/*".into()],
            tag_pattern: "v{version}".into(),
            ..Default::default()
        };
        let mono = Detected {
            production_branch: "master".into(),
            tag_pattern: config::DEFAULT_PRODUCT_TAG_PATTERN.into(),
            products: vec!["api".into(), "web".into()],
            ..Default::default()
        };
        for detected in [plain, mono] {
            let text = render(&detected);
            config::tests_parse(&text).unwrap_or_else(|err| panic!("{err}\n{text}"));
        }
    }
}
