//! Integration tests: run the real binary on real workspaces and check stdout,
//! stderr, exit codes and files. One test binary, one module per command.

mod support;

mod agenda;
mod announce;
mod calendar;
mod changelog;
mod finding;
mod gates;
mod hotfix;
mod import;
mod init;
mod notes;
mod partner;
mod plan;
mod release;
mod request;
mod score;
mod sla;
mod training;
mod validate;
