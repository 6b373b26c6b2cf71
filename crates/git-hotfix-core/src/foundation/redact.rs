//! Secrets kept out of everything git-hotfix shows or keeps: the terminal (errors, hints,
//! `--json`, a deploy step's output), the journal and the notes. Servers and proxies echo
//! request headers, deploy scripts print their environment, git prints remote URLs with
//! their credentials: whatever the path, the text goes through [`redact`] on its way out.

use std::borrow::Cow;
use std::sync::{Mutex, PoisonError};

/// What a secret is replaced with.
pub const MASK: &str = "[token hidden]";

/// How GitHub's tokens start (classic, OAuth, user-to-server, server-to-server, refresh,
/// fine-grained): anything so shaped is masked, whoever it belongs to.
const TOKEN_PREFIXES: [&str; 6] = ["github_pat_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_"];

/// The secrets of this process that have no telling shape (an Enterprise token, a token
/// from `gh`'s hosts file): masked wherever they appear.
static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Mask `secret` from now on. Short values are ignored: masking every `1` is no secret kept.
pub fn register(secret: &str) {
    let secret = secret.trim();
    if secret.len() < 8 {
        return;
    }
    let mut secrets = SECRETS.lock().unwrap_or_else(PoisonError::into_inner);
    if !secrets.iter().any(|s| s == secret) {
        secrets.push(secret.to_string());
    }
}

/// `text` with every registered secret and everything shaped like a GitHub token masked.
pub fn redact(text: &str) -> Cow<'_, str> {
    let secrets = SECRETS.lock().unwrap_or_else(PoisonError::into_inner);
    let known = secrets.iter().any(|s| text.contains(s.as_str()));
    let shaped = TOKEN_PREFIXES.iter().any(|p| text.contains(p));
    if !known && !shaped {
        return Cow::Borrowed(text);
    }
    let mut text = text.to_string();
    for secret in secrets.iter() {
        text = text.replace(secret.as_str(), MASK);
    }
    for prefix in TOKEN_PREFIXES {
        let mut from = 0;
        while let Some(at) = text[from..].find(prefix).map(|i| i + from) {
            let end = text[at + prefix.len()..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(text.len(), |i| at + prefix.len() + i);
            text.replace_range(at..end, MASK);
            from = at + MASK.len();
        }
    }
    Cow::Owned(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_secrets_and_token_shapes_are_masked() {
        register("s3cr3t-enterprise-token");
        register("1");
        assert_eq!(
            redact("a s3cr3t-enterprise-token, ghp_AbC_123 and github_pat_X1. 1"),
            "a [token hidden], [token hidden] and [token hidden]. 1"
        );
        assert!(matches!(redact("nothing here"), Cow::Borrowed(_)));
        // In JSON the mask stays a valid string.
        let json = serde_json::json!({ "detail": "Bearer ghs_abc\"def" }).to_string();
        let masked = redact(&json);
        assert!(
            serde_json::from_str::<serde_json::Value>(&masked).is_ok(),
            "{masked}"
        );
    }
}
