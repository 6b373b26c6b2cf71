//! Conversation on issues and pull requests: the one comment git-hotfix keeps up to date on
//! a pull request (found again by a marker on a rerun, never posted twice), reactions to
//! the comments that ask it something, and who may ask.

use http::Method;
use serde_json::{Value, json};

use crate::http::{Reply, Request};
use crate::{Error, GitHub, Result, decode, segment};

/// A comment on an issue or a pull request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Comment {
    pub id: u64,
    pub body: String,
    pub author: String,
    /// `User` or `Bot`, as GitHub says.
    pub author_type: String,
    pub url: String,
}

/// What [`GitHub::ensure_comment`] did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct CommentOutcome {
    /// `None` in plan mode.
    pub comment: Option<Comment>,
    pub created: bool,
    /// It was there and its text changed.
    pub updated: bool,
}

/// How a person may act on the repository, from GitHub's collaborator permission.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Permission {
    None,
    Read,
    Triage,
    Write,
    Maintain,
    Admin,
}

impl Permission {
    fn parse(text: &str) -> Permission {
        match text {
            "admin" => Permission::Admin,
            "maintain" => Permission::Maintain,
            "write" => Permission::Write,
            "triage" => Permission::Triage,
            "read" => Permission::Read,
            _ => Permission::None,
        }
    }

    /// Whether someone with it may push branches (and so ask for backports).
    pub fn can_write(self) -> bool {
        self >= Permission::Write
    }
}

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Permission::None => "none",
            Permission::Read => "read",
            Permission::Triage => "triage",
            Permission::Write => "write",
            Permission::Maintain => "maintain",
            Permission::Admin => "admin",
        })
    }
}

#[derive(serde::Deserialize)]
struct CommentJson {
    id: u64,
    #[serde(default)]
    body: Option<String>,
    user: Option<UserJson>,
    html_url: String,
}

#[derive(serde::Deserialize)]
struct UserJson {
    login: String,
    #[serde(rename = "type", default)]
    kind: String,
}

impl From<CommentJson> for Comment {
    fn from(json: CommentJson) -> Comment {
        let (author, author_type) = json
            .user
            .map_or_else(Default::default, |u| (u.login, u.kind));
        Comment {
            id: json.id,
            body: json.body.unwrap_or_default(),
            author,
            author_type,
            url: json.html_url,
        }
    }
}

/// Pages of comments read at most: a pull request with more than 1,000 comments gets a new
/// one rather than a search without end.
const MAX_PAGES: u32 = 10;

impl GitHub {
    /// The comments on issue or pull request `number`, oldest first.
    pub async fn comments(&self, number: u64) -> Result<Vec<Comment>> {
        let mut comments = Vec::new();
        for page in 1..=MAX_PAGES {
            let request = Request::get(self.path(&format!(
                "/issues/{number}/comments?per_page=100&page={page}"
            )));
            let line = request.line();
            let Reply::Json(json) = self.transport.send(request).await? else {
                break;
            };
            let batch: Vec<CommentJson> = decode(&line, json)?;
            let full = batch.len() == 100;
            comments.extend(batch.into_iter().map(Comment::from));
            if !full {
                break;
            }
        }
        Ok(comments)
    }

    /// The login the token acts as, when GitHub tells (a GitHub Actions or App token does
    /// not: `None`).
    pub async fn identity(&self) -> Result<Option<String>> {
        match self.transport.send(Request::get("/user".into())).await {
            Ok(Reply::Json(json)) => Ok(json
                .get("login")
                .and_then(Value::as_str)
                .map(str::to_string)),
            Ok(Reply::Planned) => Ok(None),
            Err(Error::Forbidden { .. } | Error::NotFound { .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// Make the comment on `number` that carries `marker` say what `body` makes of the
    /// text it says now: the one an earlier run posted (written by the token's identity, or
    /// by a bot when GitHub will not say who the token is) is edited; otherwise a new one is
    /// posted (`body` is then given `None`). The text must contain `marker`, so the next
    /// run finds it.
    pub async fn ensure_comment(
        &self,
        number: u64,
        marker: &str,
        body: impl FnOnce(Option<&str>) -> String,
    ) -> Result<CommentOutcome> {
        let identity = self.identity().await?;
        let ours = |c: &Comment| match &identity {
            Some(login) => c.author == *login,
            None => c.author_type == "Bot",
        };
        let existing = self
            .comments(number)
            .await?
            .into_iter()
            .find(|c| c.body.contains(marker) && ours(c));
        let body = body(existing.as_ref().map(|c| c.body.as_str()));
        debug_assert!(body.contains(marker));
        let body = body.as_str();
        match existing {
            Some(comment) if comment.body == body => Ok(CommentOutcome {
                comment: Some(comment),
                created: false,
                updated: false,
            }),
            Some(comment) => {
                let path = self.path(&format!("/issues/comments/{}", comment.id));
                Ok(CommentOutcome {
                    comment: self.write_comment(Method::PATCH, path, body).await?,
                    created: false,
                    updated: true,
                })
            }
            None => {
                let path = self.path(&format!("/issues/{number}/comments"));
                Ok(CommentOutcome {
                    comment: self.write_comment(Method::POST, path, body).await?,
                    created: true,
                    updated: false,
                })
            }
        }
    }

    /// Post or edit a comment; what GitHub made of it (`None` in plan mode).
    async fn write_comment(
        &self,
        method: Method,
        path: String,
        body: &str,
    ) -> Result<Option<Comment>> {
        let request = Request::with_body(method, path, json!({ "body": body }));
        let line = request.line();
        Ok(match self.transport.send(request).await? {
            Reply::Json(json) => Some(decode::<CommentJson>(&line, json)?.into()),
            Reply::Planned => None,
        })
    }

    /// React to comment `id` with `content` (`+1`, `-1`, `eyes`, `confused`, …); GitHub
    /// keeps one reaction of each kind per person, so a rerun adds nothing.
    pub async fn react(&self, comment: u64, content: &str) -> Result<()> {
        let request = Request::with_body(
            Method::POST,
            self.path(&format!("/issues/comments/{comment}/reactions")),
            json!({ "content": content }),
        );
        self.transport.send(request).await?;
        Ok(())
    }

    /// What `login` may do in the repository; `None` for someone who is not a collaborator.
    pub async fn permission(&self, login: &str) -> Result<Permission> {
        let request =
            Request::get(self.path(&format!("/collaborators/{}/permission", segment(login))));
        let line = request.line();
        match self.transport.send(request).await {
            Ok(Reply::Json(json)) => {
                let permission =
                    json.get("permission")
                        .and_then(Value::as_str)
                        .ok_or_else(|| Error::Unexpected {
                            request: line,
                            message: "no `permission` in the answer".into(),
                        })?;
                Ok(Permission::parse(permission))
            }
            Ok(Reply::Planned) => Ok(Permission::None),
            Err(Error::NotFound { .. }) => Ok(Permission::None),
            Err(other) => Err(other),
        }
    }
}
