//! Explanations of a plan: why each deferred request is deferred, and why each
//! planned request sits in its slot. Structured so the CLI can render text or JSON.

use super::{Plan, Problem};

/// One request's story.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestReason {
    /// Index of the request.
    pub request: usize,
    /// The request id.
    pub id: String,
    /// The reason.
    pub reason: Reason,
}

/// Why a request is (not) where it is.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// Planned.
    Planned(PlannedReason),
}

/// Why a planned request is in its slot.
#[derive(Debug, Clone, PartialEq)]
pub enum PlannedReason {
    /// Pinned there.
    Pinned,
}

/// Explains every request of a plan.
#[must_use]
pub fn explain(problem: &Problem, plan: &Plan) -> Vec<RequestReason> {
    let _ = (problem, plan);
    Vec::new()
}
