//! Integration tests: run the real binary on real workspaces and check stdout,
//! stderr, exit codes and files. One test binary, one module per command.

mod support;

mod agenda;
mod announce;
mod changelog;
mod init;
mod notes;
mod request;
mod validate;
