//! Hardening (issue 11, items 8 and 12–18): what a careless user or an attacker
//! can put into a workspace — odd file types, absurd numbers, control characters,
//! huge strings, malformed addresses — is refused with an error that names the
//! file (and line), never a panic (exit 101), never a hang, and never a change on
//! disk; and every write keeps the file's mode, byte-order mark and line endings.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::fixtures::{example_with_release, with_release};
use crate::support::{Run, Test};

/// Runs zyklus like [`Test::run`], but fails the test when it takes longer than
/// `limit` (a FIFO must never block a command).
#[track_caller]
fn run_within(t: &Test, limit: Duration, args: &[&str]) -> Run {
    let mut child = t
        .command(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn zyklus");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("zyklus {args:?} blocked for over {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        root: t.root().to_path_buf(),
    }
}

/// Runs zyklus with the harness environment under `umask`.
fn run_with_umask(t: &Test, umask: &str, args: &[&str]) -> Run {
    let inner = t.command(args);
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
        .arg(inner.get_program())
        .args(inner.get_args())
        .current_dir(t.root())
        .stdin(Stdio::null());
    for (k, v) in inner.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    let out = cmd.output().expect("run sh");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        root: t.root().to_path_buf(),
    }
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

#[cfg(unix)]
fn chmod(p: &Path, m: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).expect("chmod");
}

/// No panic, and the exit code the kind of failure calls for.
#[track_caller]
fn refused(r: &Run) {
    assert!(
        !r.stderr.contains("panicked"),
        "zyklus {:?} panicked:\n{}",
        r.args,
        r.stderr
    );
    r.code(1);
}

// --- File modes (item 12) -------------------------------------------------------

#[cfg(unix)]
#[test]
fn init_creates_files_with_the_umask_s_mode() {
    for (umask, file, dir) in [("022", 0o644, 0o755), ("027", 0o640, 0o750)] {
        let t = Test::empty();
        run_with_umask(&t, umask, &["init", "ws"]).ok();
        for f in ["zyklus.toml", ".gitignore", "requests/.gitkeep"] {
            assert_eq!(mode(&t.path("ws").join(f)), file, "umask {umask}: {f}");
        }
        assert_eq!(
            mode(&t.path("ws/requests")),
            dir,
            "umask {umask}: requests/"
        );
    }
}

#[cfg(unix)]
#[test]
fn an_edit_keeps_the_file_s_mode() {
    let t = example_with_release();
    for m in [0o644, 0o640, 0o600] {
        chmod(&t.path("requests/CR-0001.toml"), m);
        chmod(&t.path("releases/2027.1.toml"), m);
        let effort = format!("{}", 1 + m % 7);
        t.run(&["request", "set", "CR-0001", "--effort", &effort])
            .ok();
        assert!(t
            .read("requests/CR-0001.toml")
            .contains(&format!("effort = {effort}")));
        assert_eq!(mode(&t.path("requests/CR-0001.toml")), m, "request {m:o}");
        t.run(&["finding", "add", "2027.1", "--severity", "minor", "Typo"])
            .ok();
        assert_eq!(mode(&t.path("releases/2027.1.toml")), m, "release {m:o}");
    }
}

#[cfg(unix)]
#[test]
fn new_release_files_honour_the_umask_and_rewritten_ones_keep_their_mode() {
    let t = Test::example();
    run_with_umask(&t, "027", &["plan", "--time-limit", "2"]).ok();
    assert_eq!(mode(&t.path("releases/2027.1.toml")), 0o640);
    chmod(&t.path("releases/2027.2.toml"), 0o664);
    let before = t.read("releases/2027.2.toml");
    edit(
        &t,
        "zyklus.toml",
        "releases = { \"2027.5\" = 30 }",
        "releases = { \"2027.1\" = 0, \"2027.5\" = 30 }",
    );
    run_with_umask(&t, "077", &["plan", "--time-limit", "2"]).ok();
    assert_ne!(
        before,
        t.read("releases/2027.2.toml"),
        "the re-plan rewrote it"
    );
    assert_eq!(mode(&t.path("releases/2027.2.toml")), 0o664);
}

#[cfg(unix)]
#[test]
fn exports_keep_or_honour_modes() {
    let t = with_release();
    // New files: the umask's mode.
    run_with_umask(
        &t,
        "027",
        &["calendar", "--year", "2027", "--ics", "cal.ics"],
    )
    .ok();
    assert_eq!(mode(&t.path("cal.ics")), 0o640);
    run_with_umask(&t, "027", &["announce", "2027.1", "--out", "out"]).ok();
    let eml = t.path("out/2027.1.alpenblick.eml");
    let wiki = t.path("out/wiki/2027.1.de.md");
    assert_eq!(mode(&eml), 0o640);
    assert_eq!(mode(&wiki), 0o640);
    // Replaced files: their own mode, whatever the umask.
    for p in [&t.path("cal.ics"), &eml, &wiki] {
        chmod(p, 0o604);
    }
    std::fs::write(&eml, "old").expect("write");
    std::fs::write(&wiki, "old").expect("write");
    std::fs::write(t.path("cal.ics"), "old").expect("write");
    run_with_umask(
        &t,
        "077",
        &["calendar", "--year", "2027", "--ics", "cal.ics"],
    )
    .ok();
    run_with_umask(&t, "077", &["announce", "2027.1", "--out", "out"]).ok();
    for p in [&t.path("cal.ics"), &eml, &wiki] {
        assert_ne!(
            std::fs::read(p).expect("read"),
            b"old",
            "{} rewritten",
            p.display()
        );
        assert_eq!(mode(p), 0o604, "{}", p.display());
    }
}

// --- Byte-order mark and line endings (item 13) ----------------------------------

/// `text` as Windows editors save it: a UTF-8 byte-order mark and CRLF.
fn bom_crlf(text: &str) -> String {
    format!("\u{feff}{}", text.replace('\n', "\r\n"))
}

#[track_caller]
fn assert_bom_crlf(t: &Test, rel: &str) {
    let bytes = std::fs::read(t.path(rel)).expect("read");
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "{rel} lost its BOM"
    );
    let text = String::from_utf8(bytes).expect("UTF-8");
    assert_eq!(
        text.matches("\r\n").count(),
        text.matches('\n').count(),
        "{rel} has LF line endings now:\n{text:?}"
    );
}

#[test]
fn edits_keep_a_byte_order_mark_and_crlf_line_endings() {
    let t = example_with_release();
    for rel in ["requests/CR-0001.toml", "releases/2027.1.toml"] {
        t.write(rel, &bom_crlf(&t.read(rel)));
    }
    t.run(&["request", "set", "CR-0001", "--effort", "9"]).ok();
    assert_bom_crlf(&t, "requests/CR-0001.toml");
    assert!(t.read("requests/CR-0001.toml").contains("effort = 9\r\n"));
    t.run(&["finding", "add", "2027.1", "--severity", "minor", "Typo"])
        .ok();
    assert_bom_crlf(&t, "releases/2027.1.toml");
    t.run(&["plan", "--time-limit", "2"]).ok();
    assert_bom_crlf(&t, "releases/2027.1.toml");
    assert!(t.read("releases/2027.1.toml").contains("Typo"));
    t.run(&["validate"]).ok();
}

// --- Files that are not regular files (item 14) ----------------------------------

const PATIENCE: Duration = Duration::from_secs(20);

#[cfg(unix)]
fn mkfifo(p: &Path) {
    let ok = Command::new("mkfifo")
        .arg(p)
        .status()
        .expect("mkfifo")
        .success();
    assert!(ok, "mkfifo {}", p.display());
}

#[cfg(unix)]
#[test]
fn a_fifo_as_partners_toml_is_refused_without_blocking() {
    let t = Test::example();
    std::fs::remove_file(t.path("partners.toml")).expect("rm");
    mkfifo(&t.path("partners.toml"));
    for args in [
        &["validate"][..],
        &["request", "list"],
        &["partner", "list"],
    ] {
        let r = run_within(&t, PATIENCE, args);
        refused(&r);
        assert_eq!(
            r.stderr,
            "error: partners.toml is not a regular file (a FIFO, socket or device)\n  --> partners.toml\n  = help: replace it by a regular TOML file, or remove it\nerror: 1 error in the workspace; nothing was written\n",
            "{args:?}: one error, not one per reference to a partner"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_as_the_lock_file_is_refused_without_blocking() {
    let t = example_with_release();
    mkfifo(&t.path(".zyklus.lock"));
    let before = t.snapshot();
    for args in [
        &["request", "set", "CR-0001", "--effort", "9"][..],
        &["finding", "add", "2027.1", "--severity", "minor", "x"],
        &["plan", "--time-limit", "1"],
    ] {
        let r = run_within(&t, PATIENCE, args);
        refused(&r);
        assert!(
            r.stderr.contains(".zyklus.lock is not a regular file"),
            "{args:?}: {}",
            r.stderr
        );
    }
    assert_eq!(before, t.snapshot());
}

#[cfg(unix)]
#[test]
fn odd_files_named_toml_in_requests_are_refused() {
    type Make<'a> = &'a dyn Fn(&Path);
    let cases: [(&str, Make<'_>, &str); 4] = [
        (
            "dangling link",
            &|p| std::os::unix::fs::symlink("/nonexistent/CR-0100.toml", p).expect("ln"),
            "is a symbolic link to nothing",
        ),
        ("FIFO", &|p| mkfifo(p), "is not a regular file"),
        (
            "directory",
            &|p| std::fs::create_dir(p).expect("mkdir"),
            "is a directory",
        ),
        (
            "device",
            &|p| std::os::unix::fs::symlink("/dev/zero", p).expect("ln"),
            "is not a regular file",
        ),
    ];
    for (what, make, says) in cases {
        let t = Test::example();
        make(&t.path("requests/CR-0100.toml"));
        for args in [
            &["validate"][..],
            &["request", "list"],
            &["plan", "--dry-run"],
        ] {
            let r = run_within(&t, PATIENCE, args);
            refused(&r);
            assert!(
                r.stderr
                    .starts_with(&format!("error: requests/CR-0100.toml {says}")),
                "{what}, {args:?}: {}",
                r.stderr
            );
        }
    }
}

// --- Absurd values (item 15) ----------------------------------------------------

/// Replaces `from` by `to` in the file `rel`, which must contain it.
fn edit(t: &Test, rel: &str, from: &str, to: &str) {
    let text = t.read(rel);
    assert!(text.contains(from), "{rel} lacks {from:?}");
    t.write(rel, &text.replacen(from, to, 1));
}

/// The 1-based line of the first line of `rel` that contains `needle`.
fn line_of(t: &Test, rel: &str, needle: &str) -> usize {
    t.read(rel)
        .lines()
        .position(|l| l.contains(needle) && !l.trim_start().starts_with('#'))
        .unwrap_or_else(|| panic!("{rel} lacks {needle:?}"))
        + 1
}

/// Commands that load the workspace; each must refuse an invalid one with exit 1.
const READERS: [&[&str]; 7] = [
    &["validate"],
    &["request", "list"],
    &["release", "list"],
    &["calendar", "--year", "2027"],
    &["plan", "--dry-run", "--time-limit", "1"],
    &["sla"],
    &["score"],
];

#[test]
fn absurd_numbers_are_refused_at_their_line_and_nothing_panics() {
    // (file, text to replace, replacement, text on the line the error points at)
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "zyklus.toml",
            "test_weeks = 3",
            "test_weeks = 14000000",
            "test_weeks",
        ),
        (
            "zyklus.toml",
            "week_of_month = 2",
            "week_of_month = 99",
            "week_of_month",
        ),
        (
            "zyklus.toml",
            "releases_per_year = 6",
            "releases_per_year = 4294967295",
            "releases_per_year",
        ),
        (
            "zyklus.toml",
            "replan_tolerance = 0.5",
            "replan_tolerance = 0.5\ntime_limit = 1e300",
            "time_limit",
        ),
        (
            "zyklus.toml",
            "replan_tolerance = 0.5",
            "replan_tolerance = 0.5\ntime_limit = nan",
            "time_limit",
        ),
        (
            "zyklus.toml",
            "replan_tolerance = 0.5",
            "replan_tolerance = -inf",
            "replan_tolerance",
        ),
        (
            "zyklus.toml",
            "release_weights = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5]",
            "release_weights = [1e308]",
            "release_weights",
        ),
        (
            "zyklus.toml",
            "release_weights = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5]",
            "release_weights = [1.0, nan]",
            "release_weights",
        ),
        (
            "zyklus.toml",
            "release_weights = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5]",
            "release_weights = []",
            "release_weights",
        ),
        (
            "zyklus.toml",
            "{ weight = 3.0, scale = [1, 10] }",
            "{ weight = 1e308, scale = [1, 10] }",
            "criteria.value",
        ),
        (
            "zyklus.toml",
            "{ weight = 3.0, scale = [1, 10] }",
            "{ weight = 3.0, scale = [-1e300, 1e300] }",
            "criteria.value",
        ),
        (
            "zyklus.toml",
            "default = 40",
            "default = 18446744073709551615",
            "default = 1844",
        ),
        (
            "zyklus.toml",
            "default = 40",
            "default = -5",
            "default = -5",
        ),
        (
            "zyklus.toml",
            "default = 40",
            "default = 9223372036854775807",
            "default = 9223",
        ),
        (
            "zyklus.toml",
            "\"2027.5\" = 30",
            "\"2027.5\" = 1000001",
            "2027.5",
        ),
        (
            "zyklus.toml",
            "reaction_hours = 12",
            "reaction_hours = 4294967295",
            "reaction_hours",
        ),
        (
            "zyklus.toml",
            "days_before_release = 7",
            "days_before_release = 4294967295",
            "days_before_release",
        ),
        (
            "zyklus.toml",
            "duration_minutes = 60",
            "duration_minutes = 4294967295",
            "duration_minutes",
        ),
        ("zyklus.toml", "port = 2525", "port = 0", "port = 0"),
        ("zyklus.toml", "port = 2525", "port = 99999", "port = 99999"),
        (
            "zyklus.toml",
            "holidays = [",
            "holidays = [\"+99999-01-01\", ",
            "holidays",
        ),
        (
            "requests/CR-0001.toml",
            "effort = 8",
            "effort = 9223372036854775807",
            "effort",
        ),
        (
            "requests/CR-0001.toml",
            "effort = 8",
            "effort = 1000001",
            "effort",
        ),
        (
            "requests/CR-0001.toml",
            "effort = 8",
            "effort = -8",
            "effort",
        ),
        (
            "requests/CR-0001.toml",
            "value = ",
            "value = 1e308 # ",
            "value",
        ),
        (
            "requests/CR-0001.toml",
            "created = 2026-01-14",
            "created = \"+262143-12-31\"",
            "created",
        ),
        (
            "requests/CR-0001.toml",
            "created = 2026-01-14",
            "created = 2026-02-30",
            "created",
        ),
        (
            "requests/CR-0001.toml",
            "created = 2026-01-14",
            "deadline = \"-0001-01-01\"\ncreated = 2026-01-14",
            "deadline",
        ),
        (
            "partners.toml",
            "trainings_booked = 4",
            "trainings_booked = 4294967295",
            "trainings_booked",
        ),
        (
            "partners.toml",
            "weight = 20",
            "weight = 1e300",
            "weight = 1e300",
        ),
        (
            "partners.toml",
            "weight = 20",
            "weight = nan",
            "weight = nan",
        ),
    ];
    for (rel, from, to, at) in cases {
        let t = Test::example();
        edit(&t, rel, from, to);
        let line = line_of(&t, rel, at);
        let before = t.snapshot();
        for args in READERS {
            let r = t.run(args);
            refused(&r);
            assert!(
                r.stderr.contains(&format!("--> {rel}:{line}:")),
                "{to:?}, {args:?}: no error at {rel}:{line}\n{}",
                r.stderr
            );
        }
        assert_eq!(before, t.snapshot(), "{to:?}: something was written");
    }
}

#[test]
fn absurd_command_line_numbers_are_usage_errors() {
    let t = Test::example();
    for limit in ["1e19", "1e300", "nan", "inf", "-1", "0", "3601"] {
        let r = t.run(&["plan", "--dry-run", &format!("--time-limit={limit}")]);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        r.code(2);
        assert!(r.stderr.contains("--time-limit"), "{}", r.stderr);
    }
    for capacity in [
        "2027.1=-1",
        "2027.1=1000001",
        "2027.1=18446744073709551615",
        "2027.1=18446744073709551616",
        "2027.1=x",
    ] {
        let r = t.run(&["plan", "--dry-run", "--capacity", capacity]);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        r.code(2);
    }
    // The largest what-if capacity plans (everything fits) and, as every what-if,
    // writes nothing.
    let before = t.snapshot();
    t.run(&["plan", "--time-limit", "2", "--capacity", "2027.1=1000000"])
        .ok();
    assert_eq!(before, t.snapshot());
}

#[test]
fn dates_at_the_edge_of_the_calendar_do_not_panic() {
    let t = Test::example();
    edit(
        &t,
        "requests/CR-0001.toml",
        "created = 2026-01-14",
        "created = 0001-01-01\ndeadline = 9999-12-31",
    );
    edit(
        &t,
        "zyklus.toml",
        "holidays = [",
        "holidays = [0001-01-01, 9999-12-31, ",
    );
    t.run(&["validate"]).ok();
    t.run(&["plan", "--dry-run", "--time-limit", "1"]).ok();
    for now in [
        "9999-12-31T23:59:59+00:00",
        "9999-12-31T23:59:59-23:59",
        "0000-01-01T00:00:00+23:59",
        "1970-01-01T00:00:00+00:00",
    ] {
        let mut t = Test::example();
        t.at(now);
        for args in READERS {
            let r = t.run(args);
            assert!(
                !r.stderr.contains("panicked") && r.code != 101,
                "ZYKLUS_NOW={now} {args:?}: {}",
                r.stderr
            );
        }
    }
    // A hotfix reported at the end of time: the SLA clock runs off chrono's range
    // without a panic.
    let mut t = Test::with_requests(
        "",
        &[(
            "CR-1",
            "title = \"Hotfix\"\nkind = \"hotfix\"\neffort = 1\nreported_at = 9999-12-31T23:00:00-23:59\n",
        )],
    );
    t.at("9999-12-31T23:59:59+00:00");
    let r = t.run(&["sla"]);
    assert!(
        !r.stderr.contains("panicked") && r.code != 101,
        "{}",
        r.stderr
    );
}

#[test]
fn the_largest_values_in_range_plan_to_a_finite_optimum() {
    // `"objective": null` with `"optimal": true` came from weights of 1e308; at the
    // edge of every documented range the objective stays a number.
    let mut requests = Vec::new();
    for i in 1..=8 {
        requests.push((
            format!("CR-{i}"),
            format!(
                "title = \"Request {i}\"\nstatus = \"accepted\"\neffort = {}\n[scores]\nvalue = 1000000\nrisk = -1000000\n",
                if i % 2 == 0 { 1_000_000 } else { 1 }
            ),
        ));
    }
    let refs: Vec<(&str, &str)> = requests
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let t = Test::with_requests(
        "[capacity]\ndefault = 1000000\n[scoring]\ncriteria.value = { weight = 1000, scale = [-1000000, 1000000] }\ncriteria.risk = { weight = -1000, invert = true, scale = [-1000000, 1000000] }\n[planning]\nrelease_weights = [1000, 0, 1000]\nreplan_tolerance = 100\ntime_limit = 3600\n",
        &refs,
    );
    t.run(&["validate"]).ok();
    let j = t
        .run(&["plan", "--dry-run", "--format", "json", "--time-limit", "5"])
        .ok()
        .json();
    assert!(j["objective"].as_f64().is_some_and(f64::is_finite), "{j}");
    assert!(j["bound"].as_f64().is_some_and(f64::is_finite), "{j}");
}

// --- Bounded and linear (item 16) ------------------------------------------------

#[test]
fn a_huge_string_gives_a_short_error() {
    let five_mb = "x".repeat(5 << 20);
    let cases = [
        format!("title = \"{five_mb}\n"),
        format!("title = \"t\"\neffort = \"{five_mb}\"\n"),
        format!("title = \"t\"\neffort = 3\nrequested_by = [\"{five_mb}\"]\n"),
        format!("title = \"t\"\neffort = 3\npin = \"{five_mb}\"\n"),
        format!("title = \"t\"\neffort = 3\ncreated = \"{five_mb}\"\n"),
        // An unknown key is a warning, quoted as briefly.
        format!("title = \"t\"\neffort = 3\n{five_mb} = 1\n"),
    ];
    for (i, text) in cases.iter().enumerate() {
        let t = Test::example();
        t.write("requests/CR-0100.toml", text);
        let before = t.snapshot();
        let r = t.run(&["validate"]);
        if i == cases.len() - 1 {
            r.ok();
        } else {
            refused(&r);
        }
        assert!(r.stderr.contains("requests/CR-0100.toml:"), "case {i}");
        assert!(
            r.stderr.len() < 4096,
            "case {i}: {} bytes of error text",
            r.stderr.len()
        );
        assert_eq!(before, t.snapshot());
    }
}

#[test]
fn listing_a_huge_title_cuts_the_cell_and_json_keeps_it_whole() {
    let t = Test::example();
    let title = "Ü".repeat(2 << 20); // 4 MB of UTF-8
    t.write(
        "requests/CR-0100.toml",
        &format!("title = \"{title}\"\neffort = 3\n"),
    );
    let r = t.run(&["request", "list"]).ok().stdout.clone();
    // The cell is cut before the table lays it out (comfy-table's line splitting
    // is quadratic in the length of a line), so the table stays small.
    assert!(r.len() < 64 * 1024, "{} bytes of table", r.len());
    assert!(r.contains("ÜÜÜ…"), "the cut is marked");
    let j = t.run(&["request", "list", "--format", "json"]).ok().json();
    let listed = j["requests"]
        .as_array()
        .expect("array")
        .iter()
        .find(|q| q["id"] == "CR-0100")
        .expect("CR-0100");
    assert_eq!(listed["title"].as_str().map(str::len), Some(title.len()));
}

#[test]
fn ids_with_numbers_beyond_u64_are_just_ids() {
    let t = Test::example();
    let id = "CR-99999999999999999999999999999";
    t.write(
        &format!("requests/{id}.toml"),
        "title = \"Big number\"\neffort = 3\ndepends_on = [\"CR-18446744073709551616\"]\n",
    );
    t.write(
        "requests/CR-18446744073709551616.toml",
        "title = \"Past u64\"\neffort = 2\n",
    );
    t.run(&["validate"]).ok();
    t.run(&["request", "show", id])
        .ok()
        .stdout_has("Big number");
    let j = t.run(&["request", "list", "--format", "json"]).ok().json();
    assert!(j["requests"]
        .as_array()
        .expect("array")
        .iter()
        .any(|q| q["id"] == id));
    t.run(&["plan", "--dry-run", "--time-limit", "1"]).ok();
}

// --- Release ids against the calendar (item 17) -----------------------------------

#[test]
fn release_ids_beyond_the_calendar_are_refused_at_their_line() {
    let t = Test::example();
    edit(
        &t,
        "requests/CR-0001.toml",
        "effort = 8",
        "effort = 8\npin = \"2027.7\"",
    );
    let r = t.run(&["validate"]);
    refused(&r);
    assert_eq!(
        r.stderr,
        "error: pin = \"2027.7\": release 2027.7 does not exist: the calendar has 6 releases a year\n  --> requests/CR-0001.toml:5:7\n    |\n  5 | pin = \"2027.7\"\n    |       ^\n  = help: pin to a release of the calendar (`zyklus calendar` lists them)\nerror: 1 error in the workspace; nothing was written\n"
    );

    let t = Test::example();
    edit(
        &t,
        "zyklus.toml",
        "\"2027.5\" = 30",
        "\"2027.5\" = 30, \"2027.7\" = 10",
    );
    let r = t.run(&["validate"]);
    refused(&r);
    let line = line_of(&t, "zyklus.toml", "\"2027.7\"");
    assert!(
        r.stderr.contains(&format!(
            "error: capacity of 2027.7: release 2027.7 does not exist: the calendar has 6 releases a year\n  --> zyklus.toml:{line}:"
        )),
        "{}",
        r.stderr
    );

    let t = Test::example();
    t.write(
        "releases/2027.7.toml",
        "id = \"2027.7\"\nstage = \"planned\"\n",
    );
    let r = t.run(&["validate"]);
    refused(&r);
    assert!(
        r.stderr
            .starts_with("error: release 2027.7: release 2027.7 does not exist"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("--> releases/2027.7.toml:1:6"),
        "{}",
        r.stderr
    );

    let t = Test::example();
    let before = t.snapshot();
    let r = t.run(&["plan", "--capacity", "2027.7=3"]);
    refused(&r);
    assert!(r.stderr.contains("2027.7"), "{}", r.stderr);
    assert_eq!(before, t.snapshot());

    // A deadline long past is no calendar id; it is fine (the plan says it is missed).
    let t = Test::example();
    edit(
        &t,
        "requests/CR-0001.toml",
        "effort = 8",
        "effort = 8\ndeadline = 1999-01-01",
    );
    t.run(&["validate"]).ok();
}

// --- Control characters (item 18) -----------------------------------------------

const ESC: char = '\u{1b}';

#[test]
fn control_characters_in_single_line_text_are_refused_at_their_column() {
    let t = Test::example();
    edit(
        &t,
        "requests/CR-0001.toml",
        "title = \"Online booking",
        "title = \"\\u001b[2J\\u001b[HFAKE OUTPUT",
    );
    let before = t.snapshot();
    let r = t.run(&["validate"]);
    refused(&r);
    assert!(
        r.stderr.starts_with(
            "error: `title` holds the control character U+001B (ESC); it is one line of plain text (tab allowed)\n  --> requests/CR-0001.toml:1:10\n"
        ),
        "{}",
        r.stderr
    );
    for args in READERS {
        let r = t.run(args);
        refused(&r);
        assert!(
            !r.stdout.contains(ESC) && !r.stderr.contains(ESC),
            "{args:?}"
        );
    }
    assert_eq!(before, t.snapshot());
}

#[test]
fn every_string_of_every_file_is_checked() {
    // (file, text to replace, replacement, whether it must be refused)
    let cases: &[(&str, &str, &str, bool)] = &[
        (
            "zyklus.toml",
            "name = \"Partnerportal\"",
            "name = \"Partner\\u0000portal\"",
            true,
        ),
        (
            "zyklus.toml",
            "name = \"Partnerportal\"",
            "name = \"Partner\\nportal\"",
            true,
        ),
        (
            "zyklus.toml",
            "name = \"Partnerportal\"",
            "name = \"Partner\\tportal\"",
            false,
        ),
        (
            "zyklus.toml",
            "from = \"releases@",
            "from = \"\\u007freleases@",
            true,
        ),
        (
            "zyklus.toml",
            "criteria.value ",
            "criteria.\"va\\u001blue\" ",
            true,
        ),
        (
            "partners.toml",
            "name = \"Alpenblick",
            "name = \"Alpen\\nblick",
            true,
        ),
        (
            "partners.toml",
            "name = \"Alpenblick",
            "name = \"A\\u0000b",
            true,
        ),
        (
            "partners.toml",
            "id = \"alpenblick\"",
            "id = \"alpen\\rblick\"",
            true,
        ),
        ("requests/CR-0001.toml", "title = \"", "title = \"\\r", true),
        (
            "requests/CR-0001.toml",
            "title = \"",
            "title = 'x\u{9b}2J' # \"",
            true,
        ),
        (
            "requests/CR-0001.toml",
            "[text]",
            "[text]\nfr = \"Deux\\nlignes\"",
            false,
        ),
        (
            "requests/CR-0001.toml",
            "[text]",
            "[text]\nfr = \"CRLF\\r\\nok\"",
            false,
        ),
        (
            "requests/CR-0001.toml",
            "[text]",
            "[text]\nfr = \"lone CR\\rno\"",
            true,
        ),
        (
            "requests/CR-0001.toml",
            "[text]",
            "[text]\nfr = \"bell\\u0007\"",
            true,
        ),
        (
            "requests/CR-0001.toml",
            "[scores]",
            "[scores]\n\"\\u001b\" = 1",
            true,
        ),
    ];
    for (rel, from, to, bad) in cases {
        let t = Test::example();
        edit(&t, rel, from, to);
        let r = t.run(&["validate"]);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        if *bad {
            r.code(1);
            assert!(
                r.stderr.contains(&format!("--> {rel}:")) && r.stderr.contains("U+00"),
                "{to:?}: {}",
                r.stderr
            );
        } else {
            assert!(
                !r.stderr.contains("control character") && !r.stderr.contains("line break"),
                "{to:?}: {}",
                r.stderr
            );
        }
    }
}

#[test]
fn control_characters_from_the_command_line_are_refused_before_the_commit() {
    let t = example_with_release();
    let before = t.snapshot();
    let bad = format!("Screen {ESC}[2J cleared");
    for args in [
        vec![
            "finding",
            "add",
            "2027.1",
            "--severity",
            "minor",
            bad.as_str(),
        ],
        vec![
            "release",
            "add",
            "2027.1",
            "CR-0001",
            "--reason",
            bad.as_str(),
        ],
        vec!["request", "set", "CR-0001", "--title", bad.as_str()],
    ] {
        let r = t.run(&args);
        refused(&r);
        assert!(!r.stderr.contains(ESC), "{args:?}: raw ESC on stderr");
        assert!(r.stderr.contains("U+001B (ESC)"), "{args:?}: {}", r.stderr);
    }
    assert_eq!(before, t.snapshot());
    // A line break is fine in a finding's text.
    t.run(&[
        "finding",
        "add",
        "2027.1",
        "--severity",
        "minor",
        "line one\nline two",
    ])
    .ok();
}

#[test]
fn the_terminal_never_sees_a_raw_escape() {
    // An id from the command line is quoted in the error: escaped.
    let t = Test::example();
    let id = format!("CR-{ESC}[2J{ESC}[HFAKE");
    for args in [
        vec!["request", "show", id.as_str()],
        vec!["release", "show", "2027.1"],
        vec![
            "plan",
            "--dry-run",
            "--time-limit",
            "1",
            "--explain",
            id.as_str(),
        ],
    ] {
        let r = t.run(&args);
        assert!(r.code != 0 && r.code != 101, "{args:?}: {}", r.stderr);
        assert!(
            !r.stdout.contains(ESC) && !r.stderr.contains(ESC),
            "{args:?}"
        );
    }
    let r = t.run(&["request", "show", &id]);
    assert!(
        r.stderr.contains("CR-\\u{1b}[2J\\u{1b}[HFAKE"),
        "{}",
        r.stderr
    );

    // A hand-edited file with raw ESC bytes is not TOML; the error quotes the line,
    // escaped, and the listing never starts.
    let t = Test::example();
    t.write(
        "requests/CR-0100.toml",
        &format!("title = \"{ESC}[2J{ESC}[HFAKE OUTPUT\"\neffort = 3\n"),
    );
    t.write(
        "releases/2027.1.toml",
        &format!("id = \"2027.1\"\nstage = \"planned\" # {ESC}]0;pwned{ESC}\\\n"),
    );
    for args in [
        &["request", "list"][..],
        &["release", "show", "2027.1"],
        &["release", "list"],
        &["validate"],
    ] {
        for color in ["never", "always"] {
            let mut full = args.to_vec();
            full.extend(["--color", color]);
            let r = t.run(&full);
            refused(&r);
            assert_eq!(r.stdout, "", "{full:?}");
            assert!(!r.stderr.contains(&format!("{ESC}[2J")), "{full:?}");
            assert!(!r.stderr.contains(&format!("{ESC}]0")), "{full:?}");
            assert!(r.stderr.contains("\\u{1b}[2J"), "{full:?}: {}", r.stderr);
        }
    }
}

/// A line break is allowed in a request's customer text, but in Markdown output it
/// could start a heading or a list, or end a table row: there every text is one line.
#[test]
fn a_line_break_in_a_text_forges_no_markdown() {
    let t = with_release();
    edit(
        &t,
        "requests/CR-0004.toml",
        "im Vergleich zum Vorjahr.\"",
        "im Vergleich zum Vorjahr.\\n## Gefälscht\\n| a | b |\\n- Punkt\"",
    );
    edit(
        &t,
        "requests/CR-0017.toml",
        "Ortszeit verschickt.\"",
        "Ortszeit verschickt.\\r\\n# Forged\"",
    );
    let forged = |text: &str| {
        text.lines().any(|l| {
            let l = l.trim_start();
            l.starts_with("## Gefälscht")
                || l.starts_with("# Forged")
                || l.starts_with("| a |")
                || l.starts_with("\\| a")
                || l.starts_with("- Punkt")
        })
    };
    let notes = t
        .run(&["notes", "2027.1", "--lang", "de"])
        .ok()
        .stdout
        .clone();
    assert!(!forged(&notes), "{notes}");
    assert!(
        notes.contains("im Vergleich zum Vorjahr. ## Gefälscht | a | b | - Punkt"),
        "{notes}"
    );
    let agenda = t.run(&["agenda", "2027.1"]).ok().stdout.clone();
    assert!(!forged(&agenda), "{agenda}");
    t.run(&["announce", "2027.1", "--out", "out"]).ok();
    for page in ["out/wiki/2027.1.de.md", "out/wiki/2027.1.en.md"] {
        let text = t.read(page);
        assert!(!forged(&text), "{page}: {text}");
    }
}

// --- Partner addresses and names (item 8) -----------------------------------------

#[test]
fn partner_addresses_are_parsed_like_the_mailer_does() {
    let bad = [
        "@",
        "a@",
        "a@b@c",
        "<a@b.example>",
        "a,b",
        "a b@c.example",
        " it@x.example",
        "Name <it@x.example>",
    ];
    for address in bad {
        let t = Test::example();
        edit(
            &t,
            "partners.toml",
            "email = \"it@alpenblick-reisen.example\"",
            &format!("email = \"{address}\""),
        );
        let line = line_of(&t, "partners.toml", "email = ");
        let r = t.run(&["validate"]);
        refused(&r);
        assert!(
            r.stderr
                .starts_with(&format!("error: `{address}` is not an e-mail address: "))
                && r.stderr.contains(&format!("--> partners.toml:{line}:9\n")),
            "{address:?}: {}",
            r.stderr
        );
    }
    let t = Test::example();
    edit(
        &t,
        "zyklus.toml",
        "from = \"releases@partnerportal.example\"",
        "from = \"releases@\"",
    );
    let r = t.run(&["validate"]);
    refused(&r);
    assert!(
        r.stderr
            .starts_with("error: `releases@` is not an e-mail address"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_partner_name_with_a_newline_is_an_error_not_a_panic() {
    for name in ["Alpen\\nblick", "A\\u0000b", "A\\rb"] {
        let t = with_release();
        edit(
            &t,
            "partners.toml",
            "name = \"Alpenblick Reisen GmbH\"",
            &format!("name = \"{name}\""),
        );
        let before = t.snapshot();
        for args in [&["validate"][..], &["announce", "2027.1", "--out", "out"]] {
            let r = t.run(args);
            refused(&r);
            assert!(
                r.stderr.contains("--> partners.toml:10:"),
                "{name}, {args:?}: {}",
                r.stderr
            );
        }
        assert_eq!(before, t.snapshot(), "{name}: nothing written");
        assert!(!t.exists("out"));
    }
}

// --- No import circles (issue 10) --------------------------------------------------

/// The modules each module of `src/` names (`crate::x`, and inside `model` its
/// siblings as `super::x` or `crate::model::x`), outside tests and comments.
fn module_graph() -> (
    std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
    std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
) {
    use std::collections::{BTreeMap, BTreeSet};
    fn names_after(text: &str, prefix: &str) -> Vec<String> {
        text.match_indices(prefix)
            .map(|(i, _)| {
                text[i + prefix.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_' || c.is_ascii_digit())
                    .collect::<String>()
            })
            .filter(|n| !n.is_empty())
            .collect()
    }
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).expect("src").flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    let mut top: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut model: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(&src).expect("below src");
        let parts: Vec<String> = rel
            .components()
            .map(|c| {
                c.as_os_str()
                    .to_string_lossy()
                    .trim_end_matches(".rs")
                    .to_owned()
            })
            .collect();
        let text = std::fs::read_to_string(&f).expect("read");
        let code: String = text
            .split("#[cfg(test)]")
            .next()
            .unwrap_or("")
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let me = parts[0].clone();
        for n in names_after(&code, "crate::") {
            if n != me {
                top.entry(me.clone()).or_default().insert(n);
            }
        }
        if me == "model" && parts.len() == 2 && parts[1] != "mod" {
            let sub = parts[1].clone();
            for n in names_after(&code, "super::")
                .into_iter()
                .chain(names_after(&code, "crate::model::"))
            {
                if n != sub {
                    model.entry(sub.clone()).or_default().insert(n);
                }
            }
        }
    }
    (top, model)
}

/// A cycle in `graph`, if there is one.
fn cycle(
    graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
) -> Option<Vec<String>> {
    fn visit(
        graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
        node: &str,
        path: &mut Vec<String>,
        done: &mut std::collections::BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == node) {
            let mut c = path[i..].to_vec();
            c.push(node.to_owned());
            return Some(c);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(graph, next, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = std::collections::BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(graph, n, &mut Vec::new(), &mut done))
}

#[test]
fn modules_import_each_other_without_circles() {
    let (top, model) = module_graph();
    assert!(
        top.contains_key("cli") && model.contains_key("calendar"),
        "{top:?}"
    );
    assert_eq!(cycle(&top), None, "a circle among the modules of src/");
    assert_eq!(
        cycle(&model),
        None,
        "a circle among the modules of src/model/"
    );
    // The pure layers stay below the ones that use them.
    for (module, never) in [
        ("error", &["output", "ui", "cli", "workspace"][..]),
        ("model", &["workspace", "cli", "import", "output", "ops"]),
    ] {
        for n in never {
            assert!(
                !top.get(module).is_some_and(|d| d.contains(*n)),
                "{module} imports {n}"
            );
        }
    }
    assert!(
        !model["config"].contains("calendar"),
        "model::config must not call model::calendar (the calendar depends on the config)"
    );
}
