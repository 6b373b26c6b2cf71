//! Changelog entries, as text in and text out: a Keep a Changelog section or a table row.
//!
//! An edit adds lines and changes nothing else (line endings, headings, spacing and the
//! order of what is there stay as they were), so the diff of a release commit is only the
//! new entry and, in a Keep a Changelog file, its link reference.

use std::fmt;

use crate::foundation::names::words;

/// How a changelog is written.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// `## [1.2.4] - 2026-03-05` sections with `### Fixed` lists (keepachangelog.com).
    KeepAChangelog,
    /// A markdown table with a Version column, one row per release.
    Table,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::KeepAChangelog => "keep-a-changelog",
            Format::Table => "table",
        })
    }
}

/// The `changelog-format` setting: a format, or whatever the file already uses.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum FormatSetting {
    #[default]
    Auto,
    KeepAChangelog,
    Table,
}

/// One release's entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<'a> {
    pub version: &'a str,
    /// `YYYY-MM-DD`.
    pub date: &'a str,
    pub text: &'a str,
    /// The product released, in a monorepo: in a file with a table per product, its row
    /// goes in the table under a heading that names it.
    pub product: Option<&'a str>,
}

/// What adding an entry did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Added {
    /// The new content.
    Written(String),
    /// The file already has an entry for this version (written by hand with the fix): it
    /// is left as it is.
    AlreadyThere,
}

/// Why an entry could not be added; the caller names the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error(
        "it has no table with a Version column, and changelog-format says `table` (make the file's first table `| Date | Version | Changes |`, or set changelog-format = \"keep-a-changelog\")"
    )]
    NoTable,
    #[error(
        "it is a table, and changelog-format says `keep-a-changelog` (set changelog-format = \"table\", or \"auto\")"
    )]
    TableNotSections,
    #[error(
        "it has a table per section ({}) and none is under a heading that names {product} (give its table a heading like `## {product}`, or give the product a changelog of its own)",
        headings.join(", ")
    )]
    NoProductTable {
        product: String,
        headings: Vec<String>,
    },
    #[error(
        "more than one of its tables is under a heading that names {product} ({}): rename the headings so one does",
        headings.join(", ")
    )]
    AmbiguousProductTable {
        product: String,
        headings: Vec<String>,
    },
}

/// The format `content` is written in: a table when it has a table with a Version column.
pub fn detect(content: &str) -> Format {
    if Table::find(&lines(content)).is_some() {
        Format::Table
    } else {
        Format::KeepAChangelog
    }
}

/// The format to write `content` in (`None`: a new file) under `setting`.
pub fn resolve(content: Option<&str>, setting: FormatSetting) -> Result<Format, Error> {
    let found = content.map(detect);
    match (setting, found) {
        (FormatSetting::Auto, found) => Ok(found.unwrap_or(Format::KeepAChangelog)),
        (FormatSetting::Table, Some(Format::KeepAChangelog)) if !is_blank(content) => {
            Err(Error::NoTable)
        }
        (FormatSetting::Table, _) => Ok(Format::Table),
        (FormatSetting::KeepAChangelog, Some(Format::Table)) => Err(Error::TableNotSections),
        (FormatSetting::KeepAChangelog, _) => Ok(Format::KeepAChangelog),
    }
}

fn is_blank(content: Option<&str>) -> bool {
    content.is_none_or(|c| c.trim().is_empty())
}

/// Add `entry` to `content` (`None` or blank: the file is created) in `format`.
pub fn add(content: Option<&str>, format: Format, entry: &Entry) -> Result<Added, Error> {
    let content = content.filter(|c| !c.trim().is_empty());
    let Some(content) = content else {
        return Ok(Added::Written(new_file(format, entry)));
    };
    let newline = if content.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let mut lines = lines(content);
    let added = match format {
        Format::KeepAChangelog => add_section(&mut lines, entry),
        Format::Table => match Table::for_product(&lines, entry.product)? {
            Some(table) => table.add_row(&mut lines, entry),
            None => return Ok(Added::Written(new_file(format, entry))),
        },
    };
    if !added {
        return Ok(Added::AlreadyThere);
    }
    let mut out = lines.join(newline);
    if content.ends_with('\n') {
        out.push_str(newline);
    }
    Ok(Added::Written(out))
}

/// The lines of `content` without their endings.
fn lines(content: &str) -> Vec<String> {
    content
        .lines()
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
        .collect()
}

fn new_file(format: Format, entry: &Entry) -> String {
    let mut out = String::from("# Changelog\n\n");
    match format {
        Format::KeepAChangelog => {
            out.push_str(
                "All notable changes to this project are documented in this file.\n\
                 The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/).\n\n",
            );
            for line in section(entry, true, true) {
                out.push_str(&line);
                out.push('\n');
            }
        }
        Format::Table => {
            out.push_str("| Date | Version | Changes |\n|------|---------|---------|\n");
            out.push_str(&format!(
                "| {} | {} | {} |\n",
                entry.date,
                entry.version,
                cell(entry.text)
            ));
        }
    }
    out
}

/// A `## …` heading of a Keep a Changelog file: `[1.2.3] - date`, `1.2.3 - date`,
/// `[Unreleased]`.
struct Heading<'a> {
    /// What it names: a version, or `Unreleased`.
    name: &'a str,
    bracketed: bool,
}

fn heading(line: &str) -> Option<Heading<'_>> {
    let rest = line.strip_prefix("## ")?.trim();
    if let Some(inner) = rest.strip_prefix('[') {
        let end = inner.find(']')?;
        return Some(Heading {
            name: inner[..end].trim(),
            bracketed: true,
        });
    }
    let name = rest.split_whitespace().next()?;
    Some(Heading {
        name,
        bracketed: false,
    })
}

fn is_unreleased(name: &str) -> bool {
    name.eq_ignore_ascii_case("unreleased")
}

/// Add a release section above the newest release; `false` when the version has one.
fn add_section(lines: &mut Vec<String>, entry: &Entry) -> bool {
    let headings: Vec<(usize, Heading)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| heading(l).map(|h| (i, h)))
        .collect();
    let wanted = entry.version.trim_start_matches('v');
    if headings
        .iter()
        .any(|(_, h)| h.name.trim_start_matches('v') == wanted)
    {
        return false;
    }
    let newest = headings
        .iter()
        .find(|(_, h)| !is_unreleased(h.name))
        .map(|(at, h)| (*at, h.name.to_string()));
    let bracketed = headings.iter().all(|(_, h)| h.bracketed);
    let spaced = newest
        .as_ref()
        .is_none_or(|(at, _)| spaced_lists(lines, *at));
    let links = link_block(lines);
    let mut section = section(entry, bracketed, spaced);
    let at = match &newest {
        Some((at, _)) => *at,
        // No release yet: after everything else, before the link references.
        None => {
            let mut end = links.clone().map_or(lines.len(), |r| r.start);
            while end > 0 && lines[end - 1].trim().is_empty() {
                end -= 1;
            }
            if end < lines.len() {
                end + 1
            } else {
                // The last thing in the file: a blank line above it and none below.
                lines.push(String::new());
                section.pop();
                lines.len()
            }
        }
    };
    let previous = newest.map(|(_, name)| name);
    let count = section.len();
    lines.splice(at..at, section);
    if let (Some(previous), Some(block)) = (previous, links) {
        let block = block.start + count..block.end + count;
        update_links(lines, block, &previous, entry.version);
    }
    true
}

/// Whether the section at `at` leaves a blank line under its `###` headings.
fn spaced_lists(lines: &[String], at: usize) -> bool {
    let rest = &lines[at + 1..];
    match rest.iter().position(|l| l.starts_with("### ")) {
        Some(i) => rest.get(i + 1).is_none_or(|l| l.trim().is_empty()),
        None => true,
    }
}

/// The lines of a new release section, ending in a blank line.
fn section(entry: &Entry, bracketed: bool, spaced: bool) -> Vec<String> {
    let title = if bracketed {
        format!("## [{}] - {}", entry.version, entry.date)
    } else {
        format!("## {} - {}", entry.version, entry.date)
    };
    let mut out = vec![title, String::new(), "### Fixed".to_string()];
    if spaced {
        out.push(String::new());
    }
    let mut text = entry.text.lines();
    out.push(format!("- {}", text.next().unwrap_or_default()));
    out.extend(text.map(|l| format!("  {l}")));
    out.push(String::new());
    out
}

/// A link reference definition: `[1.2.3]: https://…`.
fn link(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix('[')?;
    let (label, url) = rest.split_once("]:")?;
    Some((label, url.trim()))
}

/// The link references at the end of the file.
fn link_block(lines: &[String]) -> Option<std::ops::Range<usize>> {
    let mut end = lines.len();
    while end > 0 && lines[end - 1].trim().is_empty() {
        end -= 1;
    }
    let mut start = end;
    while start > 0 && link(&lines[start - 1]).is_some() {
        start -= 1;
    }
    (start < end).then_some(start..end)
}

/// Add the new version's link next to the previous version's, made the same way, and move
/// `[unreleased]` on when it compares from the previous version.
fn update_links(
    lines: &mut Vec<String>,
    block: std::ops::Range<usize>,
    previous: &str,
    version: &str,
) {
    let previous_bare = previous.trim_start_matches('v');
    let version_bare = version.trim_start_matches('v');
    let mut new_link = None;
    for i in block.clone() {
        let Some((label, url)) = link(&lines[i]) else {
            continue;
        };
        if is_unreleased(label) {
            if let Some((base, range)) = url.rsplit_once("/compare/")
                && let Some((from, to)) = range.split_once("...")
                && from.contains(previous_bare)
            {
                let from = from.replacen(previous_bare, version_bare, 1);
                lines[i] = format!("[{label}]: {base}/compare/{from}...{to}");
            }
        } else if label.trim_start_matches('v') == previous_bare {
            let url = match url.rsplit_once("/compare/") {
                Some((base, range)) => {
                    let to = range.split_once("...").map_or(range, |(_, to)| to);
                    to.contains(previous_bare).then(|| {
                        format!(
                            "{base}/compare/{to}...{}",
                            to.replacen(previous_bare, version_bare, 1)
                        )
                    })
                }
                None => url
                    .contains(previous_bare)
                    .then(|| url.replacen(previous_bare, version_bare, 1)),
            };
            let label = label.replacen(previous_bare, version_bare, 1);
            new_link = url.map(|url| (i, format!("[{label}]: {url}")));
        }
    }
    if let Some((at, line)) = new_link {
        lines.insert(at, line);
    }
}

/// A markdown table whose header has a Version column.
struct Table {
    /// The separator line (`|---|---|`); rows follow it.
    separator: usize,
    end: usize,
    columns: Vec<Column>,
    outer_pipes: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Date,
    Version,
    Text,
    Other,
}

fn cells(line: &str) -> Option<Vec<&str>> {
    let line = line.trim();
    if !line.contains('|') {
        return None;
    }
    let inner = line.strip_prefix('|').unwrap_or(line);
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    Some(inner.split('|').map(str::trim).collect())
}

fn is_separator(line: &str) -> bool {
    cells(line).is_some_and(|cells| {
        cells.iter().all(|c| {
            let c = c.trim_matches(':');
            !c.is_empty() && c.chars().all(|ch| ch == '-')
        })
    })
}

impl Table {
    fn find(lines: &[String]) -> Option<Table> {
        Table::all(lines).into_iter().next()
    }

    /// The table `product`'s rows go in: the one under a heading that has every word of its
    /// name (exactly its name wins over more words), else the only table there is. `None`
    /// when the file has no table.
    fn for_product(lines: &[String], product: Option<&str>) -> Result<Option<Table>, Error> {
        let mut tables = Table::all(lines);
        let Some(product) = product.filter(|p| !p.is_empty()) else {
            return Ok(tables.into_iter().next());
        };
        if tables.len() <= 1 {
            return Ok(tables.pop());
        }
        let wanted = words(product);
        let heading = |table: &Table| {
            lines[..table.separator - 1]
                .iter()
                .rev()
                .find(|l| l.trim_start().starts_with('#'))
                .map(|l| l.trim_start().trim_start_matches('#').trim().to_string())
                .unwrap_or_default()
        };
        let named: Vec<(usize, String)> = tables
            .iter()
            .enumerate()
            .map(|(i, t)| (i, heading(t)))
            .filter(|(_, h)| {
                let words = words(h);
                wanted.iter().all(|w| words.contains(w))
            })
            .collect();
        let exact: Vec<&(usize, String)> =
            named.iter().filter(|(_, h)| words(h) == wanted).collect();
        let chosen = match (named.as_slice(), exact.as_slice()) {
            ([(only, _)], _) | (_, [(only, _)]) => *only,
            ([], _) => {
                return Err(Error::NoProductTable {
                    product: product.to_string(),
                    headings: tables.iter().map(|t| format!("`{}`", heading(t))).collect(),
                });
            }
            _ => {
                return Err(Error::AmbiguousProductTable {
                    product: product.to_string(),
                    headings: named.iter().map(|(_, h)| format!("`{h}`")).collect(),
                });
            }
        };
        Ok(Some(tables.swap_remove(chosen)))
    }

    /// Every table with a Version column, top to bottom.
    fn all(lines: &[String]) -> Vec<Table> {
        (1..lines.len())
            .filter_map(|separator| {
                if !is_separator(&lines[separator]) {
                    return None;
                }
                let header = cells(&lines[separator - 1])?;
                let mut text_taken = false;
                let columns: Vec<Column> = header
                    .iter()
                    .map(|name| {
                        let name = name.to_ascii_lowercase();
                        if name.contains("version") || name == "release" {
                            Column::Version
                        } else if name.contains("date") || name == "when" {
                            Column::Date
                        } else if !text_taken {
                            text_taken = true;
                            Column::Text
                        } else {
                            Column::Other
                        }
                    })
                    .collect();
                if !columns.contains(&Column::Version) {
                    return None;
                }
                let end = (separator + 1..lines.len())
                    .find(|&i| cells(&lines[i]).is_none())
                    .unwrap_or(lines.len());
                Some(Table {
                    separator,
                    end,
                    columns,
                    outer_pipes: lines[separator - 1].trim_start().starts_with('|'),
                })
            })
            .collect()
    }

    fn version_of<'a>(&self, row: &'a str) -> Option<&'a str> {
        let at = self.columns.iter().position(|c| *c == Column::Version)?;
        cells(row)?
            .get(at)
            .map(|v| v.trim_start_matches('v').trim_matches('`'))
    }

    /// Add a row for `entry` (at the top, or at the bottom of an oldest-first table);
    /// `false` when a row has the version.
    fn add_row(&self, lines: &mut Vec<String>, entry: &Entry) -> bool {
        let rows = self.separator + 1..self.end;
        let wanted = entry.version.trim_start_matches('v');
        if lines[rows.clone()]
            .iter()
            .any(|r| self.version_of(r) == Some(wanted))
        {
            return false;
        }
        let versions: Vec<semver::Version> = lines[rows.clone()]
            .iter()
            .filter_map(|r| self.version_of(r))
            .filter_map(|v| semver::Version::parse(v).ok())
            .collect();
        let oldest_first = versions.len() > 1 && versions[0] < versions[versions.len() - 1];
        let values: Vec<String> = self
            .columns
            .iter()
            .map(|column| match column {
                Column::Date => entry.date.to_string(),
                Column::Version => entry.version.to_string(),
                Column::Text => cell(entry.text),
                Column::Other => String::new(),
            })
            .collect();
        let row = if self.outer_pipes {
            format!("| {} |", values.join(" | "))
        } else {
            values.join(" | ")
        };
        let at = if oldest_first { rows.end } else { rows.start };
        lines.insert(at, row);
        true
    }
}

/// Text fit for one table cell: one line, pipes escaped.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENTRY: Entry = Entry {
        version: "1.2.4",
        date: "2026-03-05",
        text: "Reject expired tokens (ENG-1234, P0)",
        product: None,
    };

    fn written(content: Option<&str>, format: Format) -> String {
        match add(content, format, &ENTRY).unwrap() {
            Added::Written(text) => text,
            Added::AlreadyThere => panic!("nothing written"),
        }
    }

    #[test]
    fn keep_a_changelog_gets_a_section_above_the_newest_release_and_its_link() {
        let before = "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- A new thing\n\n\
                      ## [1.2.3] - 2026-01-10\n\n### Fixed\n\n- Old fix\n\n\
                      [unreleased]: https://github.com/o/r/compare/v1.2.3...HEAD\n\
                      [1.2.3]: https://github.com/o/r/compare/v1.2.2...v1.2.3\n";
        let after = written(Some(before), Format::KeepAChangelog);
        assert_eq!(
            after,
            "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- A new thing\n\n\
             ## [1.2.4] - 2026-03-05\n\n### Fixed\n\n- Reject expired tokens (ENG-1234, P0)\n\n\
             ## [1.2.3] - 2026-01-10\n\n### Fixed\n\n- Old fix\n\n\
             [unreleased]: https://github.com/o/r/compare/v1.2.4...HEAD\n\
             [1.2.4]: https://github.com/o/r/compare/v1.2.3...v1.2.4\n\
             [1.2.3]: https://github.com/o/r/compare/v1.2.2...v1.2.3\n"
        );
    }

    #[test]
    fn keep_a_changelog_follows_the_files_spacing_and_line_endings() {
        let before = "# Changes\r\n\r\n## 1.2.3 - 2026-01-10\r\n### Fixed\r\n- Old fix\r\n";
        let after = written(Some(before), Format::KeepAChangelog);
        assert_eq!(
            after,
            "# Changes\r\n\r\n## 1.2.4 - 2026-03-05\r\n\r\n### Fixed\r\n- Reject expired tokens (ENG-1234, P0)\r\n\r\n\
             ## 1.2.3 - 2026-01-10\r\n### Fixed\r\n- Old fix\r\n"
        );
    }

    #[test]
    fn a_changelog_with_no_release_gets_the_section_at_its_end() {
        let after = written(
            Some("# Changelog\n\n## [Unreleased]\n"),
            Format::KeepAChangelog,
        );
        assert_eq!(
            after,
            "# Changelog\n\n## [Unreleased]\n\n## [1.2.4] - 2026-03-05\n\n### Fixed\n\n\
             - Reject expired tokens (ENG-1234, P0)\n"
        );
    }

    #[test]
    fn a_version_already_written_is_left_alone() {
        let before = "## [1.2.4] - 2026-03-04\n\n### Fixed\n\n- By hand\n";
        assert_eq!(
            add(Some(before), Format::KeepAChangelog, &ENTRY),
            Ok(Added::AlreadyThere)
        );
        let table = "| Date | Version | Changes |\n|--|--|--|\n| 2026-03-04 | 1.2.4 | x |\n";
        assert_eq!(
            add(Some(table), Format::Table, &ENTRY),
            Ok(Added::AlreadyThere)
        );
    }

    const PRODUCTS: &str = "# Changelog\n\n## Staff Mobile\n\n| Date | Version | Changes |\n|---|---|---|\n| 2026-01-02 | 3.1.0 | x |\n\n## Customer Mobile\n\n| Date | Version | Changes |\n|---|---|---|\n| 2026-01-03 | 2.0.0 | y |\n\n## Web\n\n| Date | Version | Changes |\n|---|---|---|\n| 2026-01-04 | 1.2.3 | z |\n";

    fn for_product(product: &str) -> Result<Added, Error> {
        let entry = Entry {
            product: Some(product),
            ..ENTRY
        };
        add(Some(PRODUCTS), Format::Table, &entry)
    }

    #[test]
    fn a_table_per_product_gets_the_row_under_the_product_s_heading() {
        let Ok(Added::Written(web)) = for_product("web") else {
            panic!()
        };
        assert_eq!(
            web,
            PRODUCTS.replace(
                "|---|---|---|\n| 2026-01-04",
                "|---|---|---|\n| 2026-03-05 | 1.2.4 | Reject expired tokens (ENG-1234, P0) |\n| 2026-01-04"
            )
        );
        // `staff-mobile` and `Staff Mobile` are the same words.
        let Ok(Added::Written(staff)) = for_product("staff-mobile") else {
            panic!()
        };
        assert!(staff.contains("|---|---|---|\n| 2026-03-05 | 1.2.4 | Reject expired tokens (ENG-1234, P0) |\n| 2026-01-02"));
        // `mobile` names two: refused, not guessed; a product no heading names is refused.
        assert!(matches!(
            for_product("mobile"),
            Err(Error::AmbiguousProductTable { .. })
        ));
        let Err(err) = for_product("admin") else {
            panic!()
        };
        assert_eq!(
            err.to_string(),
            "it has a table per section (`Staff Mobile`, `Customer Mobile`, `Web`) and none is under a heading that names admin (give its table a heading like `## admin`, or give the product a changelog of its own)"
        );
    }

    #[test]
    fn a_table_gets_a_top_row_in_its_column_order() {
        let before = "# Releases\n\nSome text.\n\n| Version | Date | Notes | Owner |\n\
                      |:--------|------|-------|-------|\n| 1.2.3 | 2026-01-10 | Old | me |\n\nAfter.\n";
        assert_eq!(detect(before), Format::Table);
        let after = written(Some(before), Format::Table);
        assert_eq!(
            after,
            "# Releases\n\nSome text.\n\n| Version | Date | Notes | Owner |\n\
             |:--------|------|-------|-------|\n\
             | 1.2.4 | 2026-03-05 | Reject expired tokens (ENG-1234, P0) |  |\n\
             | 1.2.3 | 2026-01-10 | Old | me |\n\nAfter.\n"
        );
    }

    #[test]
    fn an_oldest_first_table_gets_a_bottom_row() {
        let before = "| Date | Version | Changes |\n|---|---|---|\n\
                      | 2025-01-01 | 1.0.0 | First |\n| 2026-01-10 | 1.2.3 | Old |\n";
        let after = written(Some(before), Format::Table);
        assert!(after.ends_with(
            "| 2026-01-10 | 1.2.3 | Old |\n| 2026-03-05 | 1.2.4 | Reject expired tokens (ENG-1234, P0) |\n"
        ));
    }

    #[test]
    fn new_files_in_each_format() {
        let table = written(None, Format::Table);
        assert_eq!(
            table,
            "# Changelog\n\n| Date | Version | Changes |\n|------|---------|---------|\n\
             | 2026-03-05 | 1.2.4 | Reject expired tokens (ENG-1234, P0) |\n"
        );
        assert_eq!(detect(&table), Format::Table);
        let sections = written(Some("  \n"), Format::KeepAChangelog);
        assert!(sections.contains("## [1.2.4] - 2026-03-05\n\n### Fixed\n\n- Reject"));
    }

    #[test]
    fn table_cells_stay_on_one_line_with_pipes_escaped() {
        assert_eq!(cell("a | b\nc"), "a \\| b c");
    }

    #[test]
    fn the_setting_must_match_the_file() {
        let sections = "# Changelog\n\n## [1.0.0] - 2025-01-01\n";
        let table = "| Date | Version | Changes |\n|---|---|---|\n";
        assert_eq!(
            resolve(Some(sections), FormatSetting::Table),
            Err(Error::NoTable)
        );
        assert_eq!(
            resolve(Some(table), FormatSetting::KeepAChangelog),
            Err(Error::TableNotSections)
        );
        assert_eq!(resolve(None, FormatSetting::Table), Ok(Format::Table));
        assert_eq!(resolve(Some(table), FormatSetting::Auto), Ok(Format::Table));
        assert_eq!(
            resolve(None, FormatSetting::Auto),
            Ok(Format::KeepAChangelog)
        );
    }
}
