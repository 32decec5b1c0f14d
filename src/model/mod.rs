//! Pure domain types: ids, change requests, releases, partners and the workspace
//! configuration. Nothing here reads files, prints, or knows about the command line;
//! `workspace` turns files into these types and `cli` hands them to the pure modules.

pub mod calendar;
pub mod config;
pub mod dates;
pub mod facts;
pub mod id;
pub mod import;
pub mod lang;
pub mod partner;
pub mod release;
pub mod request;
pub mod sla;
pub mod training;
pub mod workhours;

pub use config::Config;
pub use id::{Id, ReleaseId};
pub use partner::{Commitment, Partner, Partners};
pub use release::{Finding, HistoryEntry, Release, Severity, Stage};
pub use request::{Impact, Kind, Request, Status};
pub use training::{Mode, Quota, Training};
