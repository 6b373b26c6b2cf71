//! Labels: created in the repository when missing, then put on pull requests.

use http::Method;
use serde_json::json;

use crate::http::Request;
use crate::{Error, GitHub, Result, segment};

/// A label and how it looks when git-hotfix has to create it.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Label {
    pub name: String,
    /// Six hex digits, no `#`.
    pub color: String,
    pub description: String,
}

impl GitHub {
    /// Make sure each label exists in the repository, creating the missing ones.
    pub(crate) async fn ensure_labels(&self, labels: &[Label]) -> Result<()> {
        for label in labels {
            if self
                .labels
                .lock()
                .expect("not poisoned")
                .contains(&label.name)
            {
                continue;
            }
            let path = self.path(&format!("/labels/{}", segment(&label.name)));
            match self.transport.send(Request::get(path)).await {
                Ok(_) => {}
                Err(Error::NotFound { .. }) => {
                    let create = Request::with_body(
                        Method::POST,
                        self.path("/labels"),
                        json!({
                            "name": label.name,
                            "color": label.color,
                            "description": label.description,
                        }),
                    );
                    match self.transport.send(create).await {
                        Ok(_) => {}
                        // Someone (or a retried request) made it meanwhile.
                        Err(err) if err.already_exists() => {}
                        Err(other) => return Err(other),
                    }
                }
                Err(other) => return Err(other),
            }
            self.labels
                .lock()
                .expect("not poisoned")
                .insert(label.name.clone());
        }
        Ok(())
    }
}
