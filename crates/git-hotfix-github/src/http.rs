//! Requests to the REST API: sent through octocrab with bounded retries, or only recorded
//! (`--plan`). GitHub's statuses become [`Error`]s that say what to do.

use std::sync::Mutex;
use std::time::Duration;

use http::{HeaderMap, Method, StatusCode};
use octocrab::Octocrab;
use serde_json::Value;

use crate::auth::{Token, scrub};
use crate::error::{Error, Result};

/// Where GraphQL requests go: `/graphql` beside the REST root on github.com, `/api/graphql`
/// on GitHub Enterprise Server (whose REST root is `/api/v3`).
pub(crate) const GRAPHQL: &str = "/graphql";

/// One REST call: what `--plan` prints, and what is sent.
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct Request {
    #[serde(serialize_with = "method_name")]
    #[schemars(with = "String")]
    pub method: Method,
    /// From the API's root, with the query: `/repos/acme/shop/pulls?state=open`.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

fn method_name<S: serde::Serializer>(method: &Method, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(method.as_str())
}

impl Request {
    pub fn get(path: String) -> Request {
        Request {
            method: Method::GET,
            path,
            body: None,
        }
    }

    pub fn with_body(method: Method, path: String, body: Value) -> Request {
        Request {
            method,
            path,
            body: Some(body),
        }
    }

    /// `POST /repos/acme/shop/pulls`, for messages.
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// How hard to try before giving up.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// The wait after the first failure; it doubles each time.
    pub backoff: Duration,
    /// The longest wait a rate limit may ask for; beyond it, fail and say when to retry.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 4,
            backoff: Duration::from_millis(500),
            max_wait: Duration::from_secs(60),
        }
    }
}

/// Told before each wait, so a person sees why nothing happens.
#[derive(Debug, Clone)]
pub struct Retrying {
    pub request: String,
    pub reason: String,
    pub wait: Duration,
    /// The attempt about to be made, from 2.
    pub attempt: u32,
}

pub type OnRetry = Box<dyn Fn(&Retrying) + Send + Sync>;

/// What a request gave back.
#[derive(Debug)]
pub(crate) enum Reply {
    Json(Value),
    /// Plan mode: nothing was sent.
    Planned,
}

pub(crate) enum Transport {
    Live {
        octocrab: Octocrab,
        /// For GraphQL on GitHub Enterprise Server, rooted at `/api` instead of `/api/v3`.
        graphql: Option<Box<Octocrab>>,
        api_url: String,
        retry: RetryPolicy,
        on_retry: Option<OnRetry>,
        /// Masked in whatever the server answers, before anyone reads it.
        secret: String,
    },
    Plan(Mutex<Vec<Request>>),
}

impl Transport {
    /// A client sending `token` to `api_url`, which must be fit to receive it (see
    /// [`untrusted`]).
    pub(crate) fn live(api_url: &str, token: &Token, retry: RetryPolicy) -> Result<Transport> {
        let bad = |why: String| Error::BadApiUrl {
            url: api_url.to_string(),
            why,
        };
        if let Some(why) = untrusted(api_url) {
            return Err(bad(why));
        }
        let client = |base: &str| {
            Octocrab::builder()
                .base_uri(base)
                .map_err(|e| bad(e.to_string()))?
                .personal_token(token.expose().to_string())
                .add_header(
                    http::header::ACCEPT,
                    "application/vnd.github+json".to_string(),
                )
                .add_header(
                    http::HeaderName::from_static("x-github-api-version"),
                    "2022-11-28".to_string(),
                )
                .set_connect_timeout(Some(Duration::from_secs(10)))
                .set_read_timeout(Some(Duration::from_secs(60)))
                .build()
                .map_err(|e| Error::Unreachable {
                    url: api_url.to_string(),
                    message: format!("could not set up the HTTP client: {e}"),
                })
        };
        let root = api_url.trim_end_matches('/');
        let graphql = match root.strip_suffix("/v3") {
            Some(enterprise) if enterprise.ends_with("/api") => Some(Box::new(client(enterprise)?)),
            _ => None,
        };
        Ok(Transport::Live {
            octocrab: client(root)?,
            graphql,
            api_url: root.to_string(),
            retry,
            on_retry: None,
            secret: token.expose().to_string(),
        })
    }

    pub(crate) fn set_on_retry(&mut self, callback: OnRetry) {
        if let Transport::Live { on_retry, .. } = self {
            *on_retry = Some(callback);
        }
    }

    /// The requests recorded in plan mode.
    pub(crate) fn planned(&self) -> Vec<Request> {
        match self {
            Transport::Plan(log) => log.lock().expect("not poisoned").clone(),
            Transport::Live { .. } => Vec::new(),
        }
    }

    pub(crate) async fn send(&self, request: Request) -> Result<Reply> {
        let (octocrab, api_url, retry, on_retry, secret) = match self {
            Transport::Plan(log) => {
                log.lock().expect("not poisoned").push(request);
                return Ok(Reply::Planned);
            }
            Transport::Live {
                octocrab,
                graphql,
                api_url,
                retry,
                on_retry,
                secret,
            } => {
                let octocrab = match graphql {
                    Some(graphql) if request.path == GRAPHQL => graphql.as_ref(),
                    _ => octocrab,
                };
                (octocrab, api_url, retry, on_retry, secret)
            }
        };
        let mut attempt = 1;
        loop {
            let outcome = match send_once(octocrab, &request).await {
                Ok((status, headers, text)) if status.is_success() => {
                    judge(&request, status, &headers, &text, retry)
                }
                Ok((status, headers, text)) => {
                    judge(&request, status, &headers, &scrub(&text, secret), retry)
                }
                Err(message) => Verdict::Retry {
                    reason: scrub(&message, secret),
                    wait: None,
                    last: Error::Unreachable {
                        url: format!("{api_url}{}", request.path),
                        message: scrub(&message, secret),
                    },
                },
            };
            let (reason, wait, mut last) = match outcome {
                Verdict::Done(result) => return result,
                Verdict::Retry { reason, wait, last } => (reason, wait, last),
            };
            if attempt >= retry.attempts {
                if let Error::Server { attempts, .. } = &mut last {
                    *attempts = attempt;
                }
                return Err(last);
            }
            let wait = wait.unwrap_or(retry.backoff * 2u32.pow(attempt - 1));
            attempt += 1;
            if let Some(callback) = on_retry {
                callback(&Retrying {
                    request: request.line(),
                    reason,
                    wait,
                    attempt,
                });
            }
            tokio::time::sleep(wait).await;
        }
    }
}

async fn send_once(
    octocrab: &Octocrab,
    request: &Request,
) -> Result<(StatusCode, HeaderMap, String), String> {
    let uri = request.path.as_str();
    let body = request.body.as_ref();
    let response = match request.method {
        Method::GET => octocrab._get(uri).await,
        Method::POST => octocrab._post(uri, body).await,
        Method::PATCH => octocrab._patch(uri, body).await,
        Method::PUT => octocrab._put(uri, body).await,
        Method::DELETE => octocrab._delete(uri, body).await,
        _ => unreachable!("only the methods above are used"),
    }
    .map_err(|e| transport_message(&e))?;
    let status = response.status();
    let headers = response.headers().clone();
    let text = octocrab
        .body_to_string(response)
        .await
        .map_err(|e| transport_message(&e))?;
    Ok((status, headers, text))
}

/// octocrab's error, with its causes: `connection refused` is in the source chain.
fn transport_message(error: &octocrab::Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message = format!("{message}: {text}");
        }
        source = cause.source();
    }
    message
}

enum Verdict {
    Done(Result<Reply>),
    /// Worth another attempt; `last` is the error if none is left.
    Retry {
        reason: String,
        wait: Option<Duration>,
        last: Error,
    },
}

/// What a response means: a result, or a reason to try again and how long to wait.
fn judge(
    request: &Request,
    status: StatusCode,
    headers: &HeaderMap,
    text: &str,
    retry: &RetryPolicy,
) -> Verdict {
    let json: Value = if text.trim().is_empty() {
        Value::Null
    } else {
        match serde_json::from_str(text) {
            Ok(json) => json,
            Err(_) if !status.is_success() => Value::String(text.trim().to_string()),
            Err(e) => {
                return Verdict::Done(Err(Error::Unexpected {
                    request: request.line(),
                    message: format!("not JSON ({e})"),
                }));
            }
        }
    };
    if status.is_success() {
        return Verdict::Done(Ok(Reply::Json(json)));
    }
    let message = match &json {
        Value::Object(map) => map
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        Value::String(text) => text.chars().take(200).collect(),
        _ => String::new(),
    };
    if let Some(wait) = rate_limit_wait(status, headers, &message) {
        if wait > retry.max_wait {
            return Verdict::Done(Err(Error::RateLimited { wait }));
        }
        return Verdict::Retry {
            reason: format!("rate limited ({} {message})", status.as_u16()),
            wait: Some(wait),
            last: Error::RateLimited { wait },
        };
    }
    let request_line = request.line();
    let error = match status.as_u16() {
        401 => Error::Unauthorized { message },
        403 => Error::Forbidden {
            request: request_line,
            message,
            needs: needed_permission(headers),
        },
        404 => Error::NotFound {
            request: request_line,
            message,
        },
        422 => Error::Invalid {
            request: request_line,
            message,
            details: details(&json),
        },
        code => {
            let server = Error::Server {
                request: request_line,
                status: code,
                message: message.clone(),
                attempts: 1,
            };
            if matches!(code, 500 | 502 | 503 | 504) {
                return Verdict::Retry {
                    reason: format!("{code} {message}").trim().to_string(),
                    wait: None,
                    last: server,
                };
            }
            server
        }
    };
    Verdict::Done(Err(error))
}

/// How long a rate-limited response asks to wait, `None` when it is not a rate limit.
/// GitHub's rules: `Retry-After` when present; a spent primary limit resets at
/// `x-ratelimit-reset`; a secondary limit without either wants at least a minute.
fn rate_limit_wait(status: StatusCode, headers: &HeaderMap, message: &str) -> Option<Duration> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let retry_after = header("retry-after").and_then(|v| v.trim().parse::<u64>().ok());
    let spent = header("x-ratelimit-remaining") == Some("0");
    let secondary = message.to_ascii_lowercase().contains("rate limit");
    let limited = status == StatusCode::TOO_MANY_REQUESTS
        || (status == StatusCode::FORBIDDEN && (retry_after.is_some() || spent || secondary));
    if !limited {
        return None;
    }
    if let Some(secs) = retry_after {
        return Some(Duration::from_secs(secs));
    }
    if spent && let Some(reset) = header("x-ratelimit-reset").and_then(|v| v.parse::<i64>().ok()) {
        let now = jiff::Timestamp::now().as_second();
        return Some(Duration::from_secs(reset.saturating_sub(now).max(1) as u64));
    }
    Some(Duration::from_secs(60))
}

/// The permission a 403 names: fine-grained tokens get `X-Accepted-GitHub-Permissions`
/// (`pull_requests=write`), classic ones `X-Accepted-OAuth-Scopes` (`repo`).
fn needed_permission(headers: &HeaderMap) -> Option<String> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    if let Some(permissions) = header("x-accepted-github-permissions") {
        return Some(format!("the permission {permissions}"));
    }
    header("x-accepted-oauth-scopes").map(|scopes| format!("the scope `{scopes}`"))
}

/// A 422's `errors`: each a message, or `resource.field: code`.
fn details(json: &Value) -> Vec<String> {
    let Some(errors) = json.get("errors").and_then(Value::as_array) else {
        return Vec::new();
    };
    errors
        .iter()
        .map(|e| match e {
            Value::String(s) => s.clone(),
            _ => match e.get("message").and_then(Value::as_str) {
                Some(message) => message.to_string(),
                None => {
                    let part = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or("?");
                    format!("{}.{}: {}", part("resource"), part("field"), part("code"))
                }
            },
        })
        .collect()
}

/// Why a token must not be sent to `api_url`, if so: it is not an absolute https URL (plain
/// http only to this machine, where a test server or a local proxy listens), or it carries
/// a user name or password, which would send other credentials along.
pub fn untrusted(api_url: &str) -> Option<String> {
    let url = match url::Url::parse(api_url) {
        Ok(url) => url,
        Err(err) => return Some(format!("it is not a URL ({err})")),
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Some("it carries a user name or password; the token is the credential".into());
    }
    let loopback = match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => None,
        "http" if loopback => None,
        "http" => Some(
            "plain http sends the token in the clear; only https, or http to this machine (localhost), is used".into(),
        ),
        other => Some(format!("`{other}:` is not https")),
    }
}
