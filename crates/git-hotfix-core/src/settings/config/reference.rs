//! Every setting with its default and meaning: the reference that docs/configuration.md
//! shows, generated from here (`GIT_HOTFIX_WRITE_DOCS=1 cargo test -p git-hotfix-core
//! reference` rewrites it). A test holds these lists to the keys the settings parse, so a
//! key cannot be added, renamed or dropped without its line here, nor the page drift.

/// One key: its name in `.hotfix.toml`, its default and what it means (Markdown).
pub struct Key {
    pub key: &'static str,
    pub default: &'static str,
    pub meaning: &'static str,
}

/// The keys at the top of `.hotfix.toml`.
pub const TOP: &[Key] = &[
    Key {
        key: "production-branch",
        default: r#"`main`, else `master`"#,
        meaning: r#"what runs in production"#,
    },
    Key {
        key: "develop-branch",
        default: r#"git-flow's, else `develop` if it exists"#,
        meaning: r#"where finished hotfixes are merged back; `""` for none"#,
    },
    Key {
        key: "release-branches",
        default: r#"`[]`"#,
        meaning: r#"maintained release lines, as globs (`["release/*"]`)"#,
    },
    Key {
        key: "branch-template",
        default: r#"`hotfix/{ticket}-{slug}`"#,
        meaning: r#"placeholders `{ticket} {slug} {product} {version}`; one of `{ticket}`, `{slug}`, `{version}` is required. With `{slug}` and neither `{ticket}` nor `{version}` (`hotfix/{slug}`, a team without tickets), every word `start` is given is the description and the hotfix goes by its slug"#,
    },
    Key {
        key: "tag-pattern",
        default: r#"`v{version}`"#,
        meaning: r#"placeholders `{version}`, `{product}`"#,
    },
    Key {
        key: "remote",
        default: r#"`origin`"#,
        meaning: r#"where `--push` pushes and `start`/`finish`/`backport` fetch from"#,
    },
    Key {
        key: "offline",
        default: r#"`false`"#,
        meaning: r#"decide from local state: no fetch first (as `--offline`)"#,
    },
    Key {
        key: "merge",
        default: r#"`ff`"#,
        meaning: r#"how `finish` lands the fix on production (or its line): `ff` fast-forwards when it can, else a merge commit; `ff-only` never makes a merge commit and refuses when production moved; `no-ff` always makes one (`--ff`, `--ff-only`, `--no-ff`). develop's back-merge is a merge either way"#,
    },
    Key {
        key: "checks",
        default: r#"`[]`"#,
        meaning: r#"the project's checks (tests, type check, build), each an argv split on whitespace, run in the fix's checkout before `finish` (and `finish --pr`): one failing releases nothing; `--no-checks` skips them and the journal says so; the checklist's `tested` is ticked when they pass. Products may have their own"#,
    },
    Key {
        key: "staging",
        default: r#"`true`"#,
        meaning: r#"`false`: the team has no staging environment; `deploy` goes to production and nothing holds it there (no `--force`)"#,
    },
    Key {
        key: "push-notes",
        default: r#"`true`"#,
        meaning: r#"`false`: the hotfix notes (`refs/notes/hotfix`) stay in this clone instead of following a pushed release to its remote after `finish`, `check`, `deploy`, `verify`"#,
    },
    Key {
        key: "monitoring",
        default: r#"`30m`"#,
        meaning: r#"how long production is watched once `verify production` passes (`2h`, `1h 30m`): `status` shows when the window ends, and ticks `monitoring window over` then"#,
    },
    Key {
        key: "follow-up",
        default: r#"`24h`"#,
        meaning: r#"when the follow-up to the people told is due after production is verified; `status` shows it until `git hotfix check followed-up`"#,
    },
    Key {
        key: "backport-branch-template",
        default: r#"`backport/{target}/{name}`"#,
        meaning: r#"placeholders `{target}` (the line), `{name}` (the hotfix branch without its prefix, or the commit), `{ticket}` (the hotfix's ticket, else as `{name}`). Without `{target}` (`backport/rc/{name}`, a team with one line to backport to) a run onto several lines is refused"#,
    },
    Key {
        key: "version-files",
        default: r#"found at the root"#,
        meaning: r#"files whose version `finish` bumps (`["Cargo.toml", "web/package.json"]`); the lock files that record the project's version (`Cargo.lock`, `package-lock.json`, `npm-shrinkwrap.json`, `uv.lock`) are version files too: list them beside their manifest"#,
    },
    Key {
        key: "changelog",
        default: r#"`CHANGELOG.md` when it exists"#,
        meaning: r#"the changelog the release commit adds to; a path set here is created when missing; `""` for none"#,
    },
    Key {
        key: "changelog-format",
        default: r#"`auto`"#,
        meaning: r#"`keep-a-changelog`, `table`, or `auto` (a table when the file has one with a Version column). A file shared by products with a table each: a product's row goes in the table under the heading that names it (`## Staff Mobile` for `staff-mobile`); none or two such headings is an error, never a guess"#,
    },
    Key {
        key: "release-message",
        default: r#"`Release {version} ({ticket})`"#,
        meaning: r#"the release commit's message"#,
    },
    Key {
        key: "tag-message",
        default: r#"`Hotfix {version}: {description}`"#,
        meaning: r#"the tag's message (`-m` overrides)"#,
    },
    Key {
        key: "changelog-entry",
        default: r#"`{description} ({ticket}, {severity})`"#,
        meaning: r#"the entry's text; a table row starts with `HOTFIX: ` by default"#,
    },
];

/// `[products.<name>]`: a product of a monorepo, released on its own.
pub const PRODUCT: &[Key] = &[
    Key {
        key: "tag-pattern",
        default: "the top-level one when it uses `{product}`, else `{product}/prod-v{version}`",
        meaning: "the product's release tags",
    },
    Key {
        key: "branch-template",
        default: "the top-level one",
        meaning: "the product's hotfix branches",
    },
    Key {
        key: "version-files",
        default: "none named",
        meaning: "the product's version files, as `version-files`",
    },
    Key {
        key: "changelog",
        default: "the top-level one",
        meaning: "the product's changelog (one file may be shared, a table per product)",
    },
    Key {
        key: "changelog-format",
        default: "the top-level one",
        meaning: "as `changelog-format`",
    },
    Key {
        key: "changelog-heading",
        default: "the product's name",
        meaning: "in a changelog shared by products, the heading of this product's table (`\"Staff Mobile\"`), when it is not named after the product",
    },
    Key {
        key: "checks",
        default: "the top-level ones",
        meaning: "the product's checks, run before its `finish`",
    },
];

/// `[policies.severity]`, `[policies.version-files]`, `[policies.deploy]`: a policy and
/// what it is granted (in the committed file: they are the team's decision; `-c` tries a
/// key for one command, git config cannot set them).
pub const POLICY: &[Key] = &[
    Key {
        key: "plugin",
        default: "`builtin:<kind>`",
        meaning: "`builtin:<name>`, or the path of a `.wasm` component in the repository",
    },
    Key {
        key: "sha256",
        default: "none",
        meaning: "required for a plugin file: its content must have this hash",
    },
    Key {
        key: "commands",
        default: "`[]`",
        meaning: "programs its steps may run (globs for argv[0])",
    },
    Key {
        key: "http",
        default: "`[]`",
        meaning: "URL prefixes its steps may call",
    },
    Key {
        key: "clocks",
        default: "`false`",
        meaning: "the real clocks (else a fixed time, so that it answers the same input the same way)",
    },
    Key {
        key: "random",
        default: "`false`",
        meaning: "real random bytes (else a fixed stream)",
    },
    Key {
        key: "settings",
        default: "`{}`",
        meaning: "passed to the plugin: a table's keys join with dots, a list repeats its key ([Policies](policies.md))",
    },
];

/// `[plugin-limits]`: what one plugin call may use.
pub const PLUGIN_LIMITS: &[Key] = &[
    Key {
        key: "memory-mib",
        default: "`64`",
        meaning: "memory, in MiB",
    },
    Key {
        key: "fuel",
        default: "10⁹",
        meaning: "WebAssembly instructions, roughly",
    },
    Key {
        key: "deadline-ms",
        default: "`5000`",
        meaning: "wall-clock time, in milliseconds",
    },
];

/// `[production-version]`: where the service says which version it runs.
pub const PRODUCTION_VERSION: &[Key] = &[
    Key {
        key: "url",
        default: "none",
        meaning: "read by `status` (a GET, 3 s at most; not with `offline`): production's own word on what it runs, shown beside what the journals record",
    },
    Key {
        key: "json-pointer",
        default: "none",
        meaning: "where the version is in a JSON body (`/version`, `/build/version`); without it or `regex`, the body is the version",
    },
    Key {
        key: "regex",
        default: "none",
        meaning: "the version is its first group (else the whole match) in the body: `version: (\\S+)`",
    },
    Key {
        key: "wait",
        default: "`1m`",
        meaning: "`verify production` passes only once the service reports the release, asked every 5 s for this long (after the policy's steps)",
    },
];

/// `[github]` (`[hotfix "github"]` in git config, `-c github.<key>=…`).
pub const GITHUB: &[Key] = &[
    Key {
        key: "api-url",
        default: "`GITHUB_API_URL`, else `https://api.github.com`",
        meaning: "Enterprise: `https://host/api/v3`; https, or http to localhost only. An `api-url` in the committed `.hotfix.toml` decides where your token goes, so it is used only when your own settings say the same (`git config --global hotfix.github.apiUrl …`, `GITHUB_API_URL` or `-c`)",
    },
    Key {
        key: "repository",
        default: "read from the remote's URL",
        meaning: "`owner/name`; else read from the remote's https, ssh or scp-like URL",
    },
    Key {
        key: "pr",
        default: "`false`",
        meaning: "`finish` opens a pull request (`--no-pr` overrides)",
    },
    Key {
        key: "draft",
        default: "`false`",
        meaning: "the pull requests `finish --pr` and `backport --pr` open are drafts (`finish --draft` for one)",
    },
    Key {
        key: "reviewers",
        default: "`[]`",
        meaning: "asked to review each pull request",
    },
    Key {
        key: "assignees",
        default: "`[]`",
        meaning: "assigned each pull request",
    },
    Key {
        key: "labels",
        default: "`[\"hotfix\"]`",
        meaning: "put on each pull request, besides the severity's",
    },
    Key {
        key: "pr-title",
        default: "`{tags} {ticket}: {description}`",
        meaning: "the pull request's title; also `{severity} {version} {product} {branch} {base}`",
    },
    Key {
        key: "backport-pr-title",
        default: "`[Backport {line}] {title}`",
        meaning: "a backport's pull request title; `{title}` is the merged pull request's (or the hotfix's), also `{number} {author} {branch}`",
    },
    Key {
        key: "backport-pr-body",
        default: "git-hotfix's",
        meaning: "a backport's pull request body: `{default}` is git-hotfix's (source, commits, conflicts, testing), `{commits}` its list of commits; also `{line} {title} {number} {author} {url} {branch}`",
    },
    Key {
        key: "release",
        default: "`false`",
        meaning: "publish a GitHub release of what is pushed (as `--release`)",
    },
    Key {
        key: "backport-labels",
        default: "`[\"backport {target}\", \"backport-to-{target}\"]`",
        meaning: "the labels that ask the action for a backport, `{target}` naming the line",
    },
    Key {
        key: "backport-label-mapping",
        default: "`{}`",
        meaning: "labels that name a line by a regular expression, in the file only: `{ \"^v(\\\\d+)\\\\.(\\\\d+)\\\\.\\\\d+$\" = \"release/$1.$2\" }` backports a `v1.2.5` label to `release/1.2`",
    },
    Key {
        key: "backport-add-labels",
        default: "`[]`",
        meaning: "labels put on every backport pull request, besides `backport`",
    },
    Key {
        key: "backport-copy-labels",
        default: "none",
        meaning: "a regular expression (the whole name): the merged pull request's labels it matches go on its backports too, e.g. `\"bug|security\"` (never one that asks for a backport)",
    },
    Key {
        key: "backport-copy-assignees",
        default: "`false`",
        meaning: "the merged pull request's assignees are assigned its backports too (besides `assignees`)",
    },
    Key {
        key: "backport-copy-reviewers",
        default: "`false`",
        meaning: "the reviewers requested on the merged pull request are requested on its backports (besides `reviewers`)",
    },
    Key {
        key: "backport-copy-milestone",
        default: "`false`",
        meaning: "the merged pull request's milestone is its backports' too",
    },
    Key {
        key: "backport-auto-merge",
        default: "none",
        meaning: "`merge`, `squash` or `rebase`: GitHub merges a clean backport's pull request so once its checks and reviews allow (the repository must allow auto-merge; a draft never)",
    },
    Key {
        key: "backport-merge-commits",
        default: "`fail`",
        meaning: "what a pull request's backport does with merge commits among its commits: `fail` (refuse, naming them), `skip` (pick the others), `pick` (the pull request as one change: its merge commit against its base)",
    },
];

/// `[[severity-levels]]`: the team's own severity table, most urgent first.
pub const SEVERITY_LEVELS: &[Key] = &[
    Key {
        key: "name",
        default: "required",
        meaning: "the level as the runbook names it (`CRITICAL`): the first level is the contract's P0, the second P1, up to four. The plan, pull request, labels and reports use it; the severity policy's P0–P3 answer is shown as the team's level (a P3 where the team has three levels is its third)",
    },
    Key {
        key: "aliases",
        default: "`[]`",
        meaning: "other names `--severity` accepts (`SEV1`)",
    },
    Key {
        key: "respond-within",
        default: "the policy's",
        meaning: "detection to deploy (`1h`)",
    },
    Key {
        key: "deploy-window",
        default: "the policy's",
        meaning: "`immediate`, `same-day`, `next-business-day` or `scheduled`",
    },
    Key {
        key: "skip-staging",
        default: "the policy's",
        meaning: "whether production may be deployed before staging",
    },
    Key {
        key: "approvals",
        default: "the policy's",
        meaning: "approvals the fix needs",
    },
    Key {
        key: "criteria",
        default: "`[]`",
        meaning: "words or phrases in an incident's title, description or labels that place it at this level (`service down`, `数据泄露`): whole words where words are spaced, as written in Chinese or Japanese. They make an incident more urgent than the policy says, never less",
    },
];

/// `[[escalation]]`: the escalation ladder, in order.
pub const ESCALATION: &[Key] = &[
    Key {
        key: "after",
        default: "required",
        meaning: "how long after detection (`15m`)",
    },
    Key {
        key: "to",
        default: "required",
        meaning: "who is called in (`senior engineer`): `status` shows the next one and when, and says when one is due; `git hotfix check escalated` says it was done (the next one, or `--note <who>`); the checklist and the reports list each, done, due, missed, or not needed because production was verified first",
    },
];

/// The reference as docs/configuration.md shows it, between its markers.
pub fn markdown() -> String {
    let mut text = String::new();
    for (heading, keys) in [
        ("## Keys", TOP),
        ("## `[products.<name>]`", PRODUCT),
        (
            "## `[policies.severity]`, `[policies.version-files]`, `[policies.deploy]` (`-c policies.<kind>.<key>=…` for one command)",
            POLICY,
        ),
        ("## `[plugin-limits]`", PLUGIN_LIMITS),
        ("## `[production-version]`", PRODUCTION_VERSION),
        ("## `[[severity-levels]]`", SEVERITY_LEVELS),
        ("## `[[escalation]]`", ESCALATION),
        (
            "## `[github]` (`[hotfix \"github\"]` in git config, `-c github.<key>=…`)",
            GITHUB,
        ),
    ] {
        text.push_str(heading);
        text.push_str("\n\n| key | default | meaning |\n|---|---|---|\n");
        for key in keys {
            text.push_str(&format!(
                "| `{}` | {} | {} |\n",
                key.key, key.default, key.meaning
            ));
        }
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::settings::config::layer::{GitHubLayer, Layer, ProductLayer};
    use crate::settings::policy::{PluginLimits, PolicyConfig};

    /// The keys `T` parses, as serde names them: asked of its `Deserialize` itself.
    fn parsed_keys<T: serde::de::DeserializeOwned>() -> Vec<&'static str> {
        #[derive(Debug)]
        struct Asked;
        impl std::fmt::Display for Asked {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("asked")
            }
        }
        impl std::error::Error for Asked {}
        impl serde::de::Error for Asked {
            fn custom<M: std::fmt::Display>(_: M) -> Self {
                Asked
            }
        }
        struct Keys<'a>(&'a mut Vec<&'static str>);
        impl<'de> serde::Deserializer<'de> for Keys<'_> {
            type Error = Asked;
            fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Asked> {
                Err(Asked)
            }
            fn deserialize_struct<V: serde::de::Visitor<'de>>(
                self,
                _: &'static str,
                fields: &'static [&'static str],
                _: V,
            ) -> Result<V::Value, Asked> {
                self.0.extend(fields);
                Err(Asked)
            }
            serde::forward_to_deserialize_any! {
                bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
                byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map
                enum identifier ignored_any
            }
        }
        let mut keys = Vec::new();
        let _ = T::deserialize(Keys(&mut keys));
        keys
    }

    fn listed(keys: &[Key]) -> Vec<&'static str> {
        keys.iter().map(|k| k.key).collect()
    }

    #[test]
    fn the_reference_lists_every_key_the_settings_parse_and_no_other() {
        let tables = [
            "policies",
            "plugin-limits",
            "production-version",
            "severity-levels",
            "escalation",
            "products",
            "github",
        ];
        let mut top = parsed_keys::<Layer>();
        assert!(tables.iter().all(|t| top.contains(t)), "{top:?}");
        top.retain(|k| !tables.contains(k));
        assert_eq!(listed(TOP), top);
        assert_eq!(listed(PRODUCT), parsed_keys::<ProductLayer>());
        assert_eq!(listed(POLICY), parsed_keys::<PolicyConfig>());
        assert_eq!(listed(PLUGIN_LIMITS), parsed_keys::<PluginLimits>());
        assert_eq!(
            listed(PRODUCTION_VERSION),
            parsed_keys::<crate::settings::config::ProductionVersion>()
        );
        assert_eq!(
            listed(SEVERITY_LEVELS),
            parsed_keys::<crate::settings::severity::SeverityLevel>()
        );
        assert_eq!(
            listed(ESCALATION),
            parsed_keys::<crate::settings::config::Escalation>()
        );
        assert_eq!(listed(GITHUB), parsed_keys::<GitHubLayer>());
    }

    /// docs/configuration.md shows [`markdown`] between its markers; with
    /// `GIT_HOTFIX_WRITE_DOCS=1`, the page is rewritten from it.
    #[test]
    fn the_configuration_reference_page_is_generated_from_here() {
        const BEGIN: &str =
            "<!-- generated from crates/git-hotfix-core/src/settings/config/reference.rs -->\n";
        const END: &str = "<!-- end of the generated reference -->\n";
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/configuration.md");
        let page = std::fs::read_to_string(&path).unwrap();
        let (Some(begin), Some(end)) = (page.find(BEGIN), page.find(END)) else {
            panic!("{} has no generated section", path.display());
        };
        let generated = format!("{}{BEGIN}\n{}{}", &page[..begin], markdown(), &page[end..]);
        if std::env::var_os("GIT_HOTFIX_WRITE_DOCS").is_some() {
            std::fs::write(&path, &generated).unwrap();
        }
        assert!(
            page == generated,
            "docs/configuration.md is not the reference as generated: `GIT_HOTFIX_WRITE_DOCS=1 cargo test -p git-hotfix-core reference` rewrites it"
        );
    }
}
