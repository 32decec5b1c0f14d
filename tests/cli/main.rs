//! Integration tests: run the real binary on real workspaces and check stdout,
//! stderr, exit codes and files. One test binary, one module per command.

mod fixtures;
mod support;

mod agenda;
mod announce;
mod board;
mod calendar;
mod calendar_ics;
mod changelog;
mod changelog_repo;
mod ci_examples;
mod completions;
mod crash;
mod docs;
mod finding;
mod gates;
mod hardening;
mod hotfix;
mod import;
mod init;
mod notes;
mod partner;
mod plan;
mod plan_compare;
mod release;
mod request;
mod request_tty;
mod score;
mod sla;
mod smtp_send;
mod smtp_tls;
mod snapshots;
mod streams;
mod team_lead;
mod teams;
mod training;
mod validate;
