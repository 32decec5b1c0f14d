//! Integration tests: run the real binary on real workspaces and check stdout,
//! stderr, exit codes and files. One test binary, one module per command.

mod support;

mod calendar;
mod init;
mod partner;
mod request;
mod score;
mod training;
mod validate;
