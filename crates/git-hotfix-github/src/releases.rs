//! Releases: one per tag, updated rather than duplicated.

use http::Method;
use serde_json::{Map, Value, json};

use crate::http::{Reply, Request};
use crate::{Error, GitHub, Result, decode, segment};

/// The release a tag should have.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct ReleaseSpec {
    pub tag: String,
    pub name: String,
    /// The notes: the changelog entry.
    pub body: String,
    /// `false` for a release on an older line, so the repository's "latest" stays put.
    pub make_latest: bool,
}

/// What [`GitHub::ensure_release`] did.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct ReleaseOutcome {
    /// The release's page; `None` in plan mode.
    pub url: Option<String>,
    pub created: bool,
    /// What changed on a release that existed; empty when it was as wanted.
    pub changes: Vec<String>,
}

#[derive(serde::Deserialize)]
struct ReleaseJson {
    id: u64,
    html_url: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    body: Option<String>,
}

impl GitHub {
    /// Create the release for `spec.tag`, or bring the existing one up to date.
    pub async fn ensure_release(&self, spec: &ReleaseSpec) -> Result<ReleaseOutcome> {
        let latest = if spec.make_latest { "true" } else { "false" };
        if let Some(release) = self.release_for(&spec.tag).await? {
            let mut patch = Map::new();
            if release.name.as_deref() != Some(spec.name.as_str()) {
                patch.insert("name".into(), json!(spec.name));
            }
            if release.body.as_deref().unwrap_or("") != spec.body {
                patch.insert("body".into(), json!(spec.body));
            }
            let changes: Vec<String> = patch.keys().cloned().collect();
            if !patch.is_empty() {
                patch.insert("make_latest".into(), json!(latest));
                let path = self.path(&format!("/releases/{}", release.id));
                self.transport
                    .send(Request::with_body(
                        Method::PATCH,
                        path,
                        Value::Object(patch),
                    ))
                    .await?;
            }
            return Ok(ReleaseOutcome {
                url: Some(release.html_url),
                created: false,
                changes,
            });
        }
        let request = Request::with_body(
            Method::POST,
            self.path("/releases"),
            json!({
                "tag_name": spec.tag,
                "name": spec.name,
                "body": spec.body,
                "draft": false,
                "prerelease": false,
                "make_latest": latest,
            }),
        );
        let line = request.line();
        let url = match self.transport.send(request).await {
            Ok(Reply::Json(json)) => Some(decode::<ReleaseJson>(&line, json)?.html_url),
            Ok(Reply::Planned) => None,
            Err(err) if err.already_exists() => match self.release_for(&spec.tag).await? {
                Some(release) => Some(release.html_url),
                None => return Err(err),
            },
            Err(err) => return Err(err),
        };
        Ok(ReleaseOutcome {
            url,
            created: true,
            changes: Vec::new(),
        })
    }

    async fn release_for(&self, tag: &str) -> Result<Option<ReleaseJson>> {
        let request = Request::get(self.path(&format!("/releases/tags/{}", segment(tag))));
        let line = request.line();
        match self.transport.send(request).await {
            Ok(Reply::Json(json)) => Ok(Some(decode(&line, json)?)),
            Ok(Reply::Planned) | Err(Error::NotFound { .. }) => Ok(None),
            Err(err) => Err(err),
        }
    }
}
