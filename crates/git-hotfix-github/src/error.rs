use std::time::Duration;

/// Why talking to GitHub failed. No variant carries the token: its text is safe to print.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "no GitHub token: set GITHUB_TOKEN or GH_TOKEN, or sign in with `gh auth login` (looked in {looked})"
    )]
    NoToken { looked: String },
    #[error("the GitHub token from {source_name} is not a valid token (it holds {problem})")]
    MalformedToken {
        source_name: String,
        problem: &'static str,
    },
    #[error("`{value}` is not a GitHub repository: {why}")]
    BadRepository { value: String, why: &'static str },
    #[error("`{url}` is not a usable API URL: {why}")]
    BadApiUrl { url: String, why: String },
    #[error("could not reach {url}: {message}")]
    Unreachable { url: String, message: String },
    #[error("GitHub refused the token (401 {message}): it is wrong, expired or revoked")]
    Unauthorized { message: String },
    #[error("GitHub forbids {request} (403 {message}){}", needs.as_ref().map(|n| format!("; the token needs {n}")).unwrap_or_default())]
    Forbidden {
        request: String,
        message: String,
        /// The scope or permission GitHub said the call needs.
        needs: Option<String>,
    },
    #[error(
        "the token cannot push to {repository}: it needs write access to its contents and pull requests (`repo` scope, or `contents: write` and `pull_requests: write`)"
    )]
    NoPushPermission { repository: String },
    #[error("GitHub has no {request} (404 {message})")]
    NotFound { request: String, message: String },
    #[error("GitHub refused {request} (422 {message}{})", if details.is_empty() { String::new() } else { format!(": {}", details.join("; ")) })]
    Invalid {
        request: String,
        message: String,
        details: Vec<String>,
    },
    /// A GraphQL request GitHub answered with errors (it answers them with 200).
    #[error("GitHub refused {request}: {message}")]
    Refused { request: String, message: String },
    #[error("GitHub's rate limit for this token is spent; it resets in {}", human(*.wait))]
    RateLimited { wait: Duration },
    #[error("GitHub answered {request} with {status} {message} (after {attempts} attempts)")]
    Server {
        request: String,
        status: u16,
        message: String,
        attempts: u32,
    },
    #[error("GitHub answered {request} with something unexpected: {message}")]
    Unexpected { request: String, message: String },
}

impl Error {
    /// A 422 saying the thing to create is there already (a retried request went through).
    pub(crate) fn already_exists(&self) -> bool {
        match self {
            Error::Invalid {
                message, details, ..
            } => {
                message.contains("already exists")
                    || details
                        .iter()
                        .any(|d| d.contains("already_exists") || d.contains("already exists"))
            }
            _ => false,
        }
    }
}

/// `1m30s`, `45s`.
pub(crate) fn human(wait: Duration) -> String {
    let secs = wait.as_secs();
    match (secs / 60, secs % 60) {
        (0, s) => format!("{s}s"),
        (m, 0) => format!("{m}m"),
        (m, s) => format!("{m}m{s}s"),
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
