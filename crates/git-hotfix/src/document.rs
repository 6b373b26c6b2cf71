//! What `--json` prints: one document per run, a type that serializes the command's result,
//! named and versioned in its `schema` field. The JSON Schema of each is generated from its
//! type into `docs/schema/<name>.json` (`render::json::schemas`), and the tests validate
//! every document they read against it: the output is data with a contract, not text that
//! happens to parse.

use schemars::JsonSchema;
use serde::Serialize;

use crate::error::{CommandError, Exit};

/// The shape's version, in every document's `schema` (`git-hotfix/<name>/v1`): raised when
/// a field changes meaning or goes away; a new field is not a new version.
pub const VERSION: u32 = 1;

/// A `--json` document.
pub trait Document: Serialize + JsonSchema {
    /// Its name: `docs/schema/<NAME>.json`, and `git-hotfix/<NAME>/v1` in its `schema`.
    const NAME: &'static str;
}

/// The `schema` that names a document of type `D`.
pub fn schema_id<D: Document>() -> String {
    format!("git-hotfix/{}/v{VERSION}", D::NAME)
}

/// A document as printed: its `schema` first, its fields, and the failure it ended on, if
/// it did (a command that shows a result and still fails on it: a refused step, a failing
/// plugin case).
#[derive(Serialize, JsonSchema)]
pub struct Printed<'a, D> {
    pub schema: String,
    #[serde(flatten)]
    pub document: &'a D,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
}

impl<'a, D: Document> Printed<'a, D> {
    pub fn new(document: &'a D, error: Option<ErrorBody>) -> Self {
        Printed {
            schema: schema_id::<D>(),
            document,
            error,
        }
    }
}

/// What a `--plan` run would do, nothing done: the shape of most plans (`executed` is
/// false). Each kind of plan is a document of its own name.
#[derive(Serialize, JsonSchema)]
pub struct Planned<'a, T> {
    pub plan: &'a T,
    pub executed: bool,
}

impl<'a, T> Planned<'a, T> {
    pub fn new(plan: &'a T) -> Self {
        Planned {
            plan,
            executed: false,
        }
    }
}

/// A failure in a `--json` document.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ErrorBody {
    /// The exit code (docs/exit-codes.md).
    pub exit: u8,
    pub kind: Exit,
    pub message: String,
    /// What led to it, outermost first.
    pub causes: Vec<String>,
    /// The ways out.
    pub hints: Vec<String>,
}

impl ErrorBody {
    pub fn of(err: &CommandError) -> ErrorBody {
        ErrorBody {
            exit: err.exit as u8,
            kind: err.exit,
            message: err.message.clone(),
            causes: err.causes.clone(),
            hints: err.hints.clone(),
        }
    }
}

/// The document of a command that failed before it had a result.
#[derive(Serialize, JsonSchema)]
pub struct Failure {
    pub error: ErrorBody,
}

impl Document for Failure {
    const NAME: &'static str = "error";
}
