//! Integration tests: run the real binary on real workspaces and check stdout,
//! stderr, exit codes and files. One test binary, one module per command.

mod support;

mod finding;
mod gates;
mod hotfix;
mod init;
mod release;
mod request;
mod sla;
mod validate;
