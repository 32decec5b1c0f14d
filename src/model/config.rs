//! The workspace configuration, `zyklus.toml`. Every key but `workspace.name` has a
//! default, so a two-line file is a valid workspace.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::dates::{Date, Weekday};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Config {
    pub workspace: WorkspaceSection,
    #[serde(default)]
    pub calendar: CalendarConfig,
    #[serde(default)]
    pub capacity: CapacityConfig,
    #[serde(default)]
    pub scoring: ScoringConfig,
    #[serde(default)]
    pub planning: PlanningConfig,
    #[serde(default)]
    pub support: SupportConfig,
    #[serde(default)]
    pub changelog: ChangelogConfig,
    #[serde(default)]
    pub smtp: Option<SmtpConfig>,
    #[serde(default)]
    pub gates: GatesConfig,
    #[serde(default)]
    pub coordination: Option<CoordinationConfig>,
    /// `[announce]`: what customer e-mails add (wiki link, signature).
    #[serde(default)]
    pub announce: AnnounceConfig,
    /// `[import.jira]` / `[import.github]` / `[import.gitlab]`: how `zyklus import` maps issues.
    #[serde(default)]
    pub import: super::import::ImportConfig,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkspaceSection {
    pub name: String,
    /// Language tags (BCP 47: `de`, `de-AT`, `en-GB`); the first is the default.
    #[serde(default = "default_languages")]
    pub languages: Vec<String>,
    /// The article running text puts before the product name, per language:
    /// `article = { de = "das" }` gives „am 12. Jänner wird das Partnerportal
    /// 2027.1 veröffentlicht". Sentences use it in the nominative only.
    #[serde(default)]
    pub article: BTreeMap<String, String>,
}

impl WorkspaceSection {
    /// The default language: the first configured one, else `en`.
    #[must_use]
    pub fn default_lang(&self) -> &str {
        self.languages.first().map_or("en", String::as_str)
    }
}

fn default_languages() -> Vec<String> {
    vec!["de".into(), "en".into()]
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CalendarConfig {
    pub releases_per_year: u32,
    pub months: Vec<u32>,
    pub weekday: Weekday,
    pub week_of_month: i32,
    pub test_weeks: u32,
    pub holidays: Vec<Date>,
    pub dates: Vec<Date>,
    /// IANA time zone of calendar exports.
    pub timezone: String,
}

impl Default for CalendarConfig {
    fn default() -> Self {
        Self {
            releases_per_year: 6,
            months: vec![1, 3, 5, 7, 9, 11],
            weekday: Weekday::Tue,
            week_of_month: 2,
            test_weeks: 3,
            holidays: Vec::new(),
            dates: Vec::new(),
            timezone: "Europe/Vienna".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct CapacityConfig {
    /// Units per release, all teams together. Absent: the sum of the teams'
    /// capacities when `[capacity.teams]` is set, else [`DEFAULT_CAPACITY`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<u64>,
    pub releases: BTreeMap<String, u64>,
    /// `[capacity.teams]`: capacity per team and release (empty: no teams).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub teams: BTreeMap<String, TeamCapacity>,
}

/// The capacity per release without `[capacity] default` and without teams.
pub const DEFAULT_CAPACITY: u64 = 40;

/// One team's capacity: `backend = { default = 24, releases = { "2027.4" = 16 } }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamCapacity {
    /// Units per release (signed only so that a negative number gets a clear
    /// message from validation; the loader refuses it).
    pub default: i64,
    #[serde(default)]
    pub releases: BTreeMap<String, i64>,
}

/// The scoring model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Model {
    #[default]
    Weighted,
    Wsjf,
    Rice,
}

impl Model {
    /// The name in zyklus.toml.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Model::Weighted => "weighted",
            Model::Wsjf => "wsjf",
            Model::Rice => "rice",
        }
    }

    /// The fixed criteria of `wsjf` and `rice` (each divided by `effort`);
    /// `None` for `weighted`, whose criteria are the ones configured.
    #[must_use]
    pub fn fixed_criteria(self) -> Option<&'static [&'static str]> {
        match self {
            Model::Weighted => None,
            Model::Wsjf => Some(&["business_value", "time_criticality", "risk_reduction"]),
            Model::Rice => Some(&["reach", "impact", "confidence"]),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    #[serde(default = "one")]
    pub weight: f64,
    #[serde(default)]
    pub invert: bool,
    #[serde(default = "default_scale")]
    pub scale: [f64; 2],
}

fn one() -> f64 {
    1.0
}

fn default_scale() -> [f64; 2] {
    [0.0, 10.0]
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ScoringConfig {
    pub model: Model,
    pub criteria: BTreeMap<String, Criterion>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanningConfig {
    pub release_weights: Vec<f64>,
    /// Stable re-planning: percent of the best objective that a re-plan may give
    /// up to move fewer requests against the plan on disk (0 = moves only break ties).
    pub replan_tolerance: f64,
    /// Retired (replaced by `replan_tolerance`): still read, so that older
    /// workspaces load, and answered with a deprecation warning.
    #[serde(skip_serializing)]
    pub stability_penalty: Option<f64>,
    /// Default solver time limit in seconds.
    pub time_limit: f64,
}

impl Default for PlanningConfig {
    fn default() -> Self {
        Self {
            release_weights: vec![1.0, 0.9, 0.8, 0.7, 0.6, 0.5],
            replan_tolerance: 0.5,
            stability_penalty: None,
            time_limit: 10.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SupportConfig {
    pub reaction_hours: u32,
    pub workdays: Vec<Weekday>,
}

impl Default for SupportConfig {
    fn default() -> Self {
        Self {
            reaction_hours: 12,
            workdays: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChangelogConfig {
    pub file: String,
    pub tag_prefix: String,
    /// The link of a release in the changelog's link reference definitions, e.g.
    /// `https://git.example/product/compare/{previous}...{tag}` (placeholders
    /// `{tag}`, `{previous}`, `{version}`, `{previous_version}`).
    pub compare_url: Option<String>,
}

impl Default for ChangelogConfig {
    fn default() -> Self {
        Self {
            file: "CHANGELOG.md".into(),
            tag_prefix: "v".into(),
            compare_url: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmtpConfig {
    #[serde(default = "localhost")]
    pub host: String,
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    /// The sender address, optionally with a display name (`Name <addr>`).
    pub from: String,
    /// The sender's display name when `from` is a bare address.
    #[serde(default)]
    pub from_name: Option<String>,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub password_env: Option<String>,
    /// How the connection is secured; see [`SmtpTls`]. Unset: STARTTLS, required
    /// when a user is set, else used when the server offers it.
    #[serde(default)]
    pub tls: Option<SmtpTls>,
    /// A PEM file (relative to the workspace) of CA certificates to trust besides
    /// the system's, e.g. for a server with a self-signed certificate.
    #[serde(default)]
    pub ca_file: Option<String>,
    /// Seconds to wait for the server to accept the connection or to answer.
    #[serde(default = "default_smtp_timeout")]
    pub timeout_seconds: u64,
}

/// `[smtp] tls`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// A plain connection upgraded with STARTTLS; fails if the server does not offer it.
    Starttls,
    /// TLS from the first byte (implicit TLS, "SMTPS", usually port 465).
    Tls,
    /// No TLS at all; refused together with a user (never a password in clear text).
    None,
}

fn default_smtp_timeout() -> u64 {
    30
}

fn localhost() -> String {
    "localhost".into()
}

fn default_smtp_port() -> u16 {
    587
}

/// `[announce]`: what the customer e-mails carry besides the changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct AnnounceConfig {
    /// The wiki page of a release, linked from the e-mails; `{release}` and
    /// `{lang}` are replaced by the release id and the language tag.
    pub wiki_url: Option<String>,
    /// The signature block below the closing, per language tag (`de`, `en`, or
    /// regional such as `de-AT`): name, company, address, register details.
    pub signature: BTreeMap<String, String>,
}

/// Gate criteria that a workspace may tune.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GatesConfig {
    /// Minimum length of the test phase in days; defaults to `calendar.test_weeks × 7`.
    pub min_test_days: Option<u32>,
    pub require_signoff: bool,
    pub hotfix_min_test_days: u32,
    pub hotfix_require_signoff: bool,
    /// Whether a hotfix must also wait for its base release's date (default: no).
    pub hotfix_date_gate: bool,
}

impl Default for GatesConfig {
    fn default() -> Self {
        Self {
            min_test_days: None,
            require_signoff: true,
            hotfix_min_test_days: 0,
            hotfix_require_signoff: true,
            hotfix_date_gate: false,
        }
    }
}

/// The release coordination call held with partners before each release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CoordinationConfig {
    pub days_before_release: u32,
    /// Local time of day, `HH:MM`.
    pub time: String,
    pub duration_minutes: u32,
    pub url: Option<String>,
    pub languages: Vec<String>,
    /// IANA time zone of `time`; defaults to `calendar.timezone`.
    pub timezone: Option<String>,
}

impl Default for CoordinationConfig {
    fn default() -> Self {
        Self {
            days_before_release: 7,
            time: "10:00".into(),
            duration_minutes: 60,
            url: None,
            languages: Vec::new(),
            timezone: None,
        }
    }
}

/// The documented range of every numeric setting (README, "zyklus.toml"): values
/// outside them are refused by `validate` at their line, so that no arithmetic on
/// input can overflow, lose all precision or run for ages.
pub mod limits {
    /// Capacity units per release (`capacity.default`, `capacity.releases.*`, a
    /// release file's `capacity`, `plan --capacity`), and a request's `effort`.
    pub const MAX_UNITS: u64 = 1_000_000;
    /// The absolute value of a criterion's `weight`, each of `release_weights`, and
    /// `stability_penalty`.
    pub const MAX_WEIGHT: f64 = 1_000.0;
    /// The absolute value of a criterion's `scale` bounds and of every score.
    pub const MAX_SCORE: f64 = 1_000_000.0;
    /// A commitment's `weight` in partners.toml.
    pub const MAX_COMMITMENT_WEIGHT: f64 = 1_000_000.0;
    /// How many `release_weights` may be listed (the longest `plan --horizon`).
    pub const MAX_RELEASE_WEIGHTS: usize = 24;
    /// `planning.time_limit` and `plan --time-limit`, in seconds.
    pub const MAX_TIME_LIMIT: f64 = 3_600.0;
    /// A partner's `trainings_booked`.
    pub const MAX_TRAININGS_BOOKED: u32 = 1_000;
}

/// `plan --time-limit SECS`: a number of seconds above 0 and at most
/// [`limits::MAX_TIME_LIMIT`] (clap's value parser).
///
/// # Errors
/// When `s` is not such a number.
pub fn parse_time_limit(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(t) if t.is_finite() && t > 0.0 && t <= limits::MAX_TIME_LIMIT => Ok(t),
        _ => Err(format!(
            "`{s}` is not a number of seconds above 0 and at most {}",
            limits::MAX_TIME_LIMIT
        )),
    }
}

/// A problem with a setting: key path (as the loader reads it, e.g.
/// `planning.release_weights[2]`), message, hint.
pub type Problem = (String, String, String);

/// The configuration's own checks beyond its types — ranges of numbers, scoring,
/// gates — as `(key path, message, hint)`; the loader points each at its line.
/// Checks that need other modules (the calendar rule, coordination calls, imports,
/// SMTP) live with those modules; `workspace::validate_config` runs them all.
#[must_use]
pub fn problems(config: &Config) -> Vec<Problem> {
    let mut out = range_problems(config);
    out.extend(scoring_problems(&config.scoring));
    out.extend(gates_problems(config));
    out
}

/// The key path of `key` below `prefix` as the loader reads it, quoting keys that
/// are not bare TOML keys: `capacity.releases."2027.4"`.
fn subkey(prefix: &str, key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if bare {
        format!("{prefix}.{key}")
    } else {
        format!(
            "{prefix}.\"{}\"",
            key.replace('\\', "\\\\").replace('"', "\\\"")
        )
    }
}

/// A number as a message shows it: `1e308` rather than 309 digits.
#[must_use]
pub fn show(x: f64) -> String {
    if x.is_finite() && x != 0.0 && !(1e-6..1e15).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// Whether `x` is a finite number within `lo..=hi`.
fn within(x: f64, lo: f64, hi: f64) -> bool {
    x.is_finite() && (lo..=hi).contains(&x)
}

/// Every numeric setting within its documented range ([`limits`]).
fn range_problems(config: &Config) -> Vec<Problem> {
    use limits::{MAX_RELEASE_WEIGHTS, MAX_SCORE, MAX_TIME_LIMIT, MAX_UNITS, MAX_WEIGHT};
    let mut out: Vec<Problem> = Vec::new();
    let mut bad = |key: String, msg: String, hint: &str| out.push((key, msg, hint.to_owned()));
    if let Some(default) = config.capacity.default.filter(|d| *d > MAX_UNITS) {
        bad(
            "capacity.default".into(),
            format!("capacity default = {default} is more than {MAX_UNITS} units"),
            "use the capacity of one release in the unit of `effort`, e.g. default = 40",
        );
    }
    for (team, c) in &config.capacity.teams {
        let at = subkey("capacity.teams", team);
        if crate::model::Id::parse(team).is_err() {
            bad(
                at.clone(),
                format!("`{team}` is not a valid team name"),
                "name teams with 1–64 characters from A-Z a-z 0-9 . _ - starting with a letter or digit, e.g. backend",
            );
        }
        let units =
            std::iter::once((None, c.default)).chain(c.releases.iter().map(|(k, u)| (Some(k), *u)));
        for (release, units) in units {
            if (0..=MAX_UNITS as i64).contains(&units) {
                continue;
            }
            let (key, what) = match release {
                None => (format!("{at}.default"), String::new()),
                Some(id) => (subkey(&format!("{at}.releases"), id), format!(" in {id}")),
            };
            bad(
                key,
                format!("team `{team}` has capacity {units}{what}; it must be a whole number of units from 0 to {MAX_UNITS}"),
                "e.g. default = 24; use 0 for a release without this team",
            );
        }
    }
    for (id, units) in &config.capacity.releases {
        if *units > MAX_UNITS {
            bad(
                subkey("capacity.releases", id),
                format!("the capacity of {id} is {units}, more than {MAX_UNITS} units"),
                "e.g. \"2027.4\" = 30",
            );
        }
    }
    for (name, c) in &config.scoring.criteria {
        let criterion = subkey("scoring.criteria", name);
        if !within(c.scale[0], -MAX_SCORE, MAX_SCORE)
            || !within(c.scale[1], -MAX_SCORE, MAX_SCORE)
            || c.scale[0] >= c.scale[1]
        {
            bad(
                format!("{criterion}.scale"),
                format!(
                    "criterion `{name}` has scale [{}, {}]; the minimum must be below the maximum, both within ±{MAX_SCORE}",
                    show(c.scale[0]), show(c.scale[1])
                ),
                "write scale = [MIN, MAX], e.g. [1, 10]",
            );
        }
        if !within(c.weight, -MAX_WEIGHT, MAX_WEIGHT) {
            bad(
                format!("{criterion}.weight"),
                format!(
                    "criterion `{name}` has weight {}; it must be a number within ±{MAX_WEIGHT}",
                    show(c.weight)
                ),
                "use a weight such as 2.0",
            );
        }
    }
    let w = &config.planning.release_weights;
    if w.is_empty() || w.len() > MAX_RELEASE_WEIGHTS {
        bad(
            "planning.release_weights".into(),
            format!(
                "release_weights lists {} numbers; it must list 1 to {MAX_RELEASE_WEIGHTS}",
                w.len()
            ),
            "e.g. release_weights = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5] (the last repeats)",
        );
    }
    for (i, x) in w.iter().enumerate() {
        if !within(*x, 0.0, MAX_WEIGHT) {
            bad(
                format!("planning.release_weights[{i}]"),
                format!(
                    "release weight {} is not a number from 0 to {MAX_WEIGHT}",
                    show(*x)
                ),
                "e.g. release_weights = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5]",
            );
        }
    }
    let t = config.planning.replan_tolerance;
    if !within(t, 0.0, 100.0) {
        bad(
            "planning.replan_tolerance".into(),
            format!(
                "replan_tolerance is {}; it must be a percentage from 0 to 100",
                show(t)
            ),
            "e.g. replan_tolerance = 0.5 (give up at most 0.5 % of the objective to move fewer requests; 0: moves only break ties)",
        );
    }
    let t = config.planning.time_limit;
    if !within(t, 0.0, MAX_TIME_LIMIT) || t <= 0.0 {
        bad(
            "planning.time_limit".into(),
            format!(
                "time_limit is {}; it must be above 0 and at most {MAX_TIME_LIMIT} seconds",
                show(t)
            ),
            "e.g. time_limit = 10",
        );
    }
    if let Some(smtp) = &config.smtp {
        if smtp.port == 0 {
            bad(
                "smtp.port".into(),
                "port 0 is no SMTP port".into(),
                "e.g. port = 587 (STARTTLS) or 465 (implicit TLS)",
            );
        }
    }
    out
}

/// The longest test phase or reaction promise that makes sense (a year).
const MAX_DAYS: u32 = 366;

/// `[gates]` and `[support]`: lengths must be sensible; a reaction promise of zero
/// hours cannot be kept.
fn gates_problems(config: &Config) -> Vec<Problem> {
    let mut out = Vec::new();
    let g = &config.gates;
    if let Some(d) = g.min_test_days {
        if d > MAX_DAYS {
            out.push((
                "gates.min_test_days".into(),
                format!("min_test_days = {d} is longer than a year"),
                "use a number of days up to 366, or remove it to use calendar.test_weeks × 7"
                    .into(),
            ));
        }
    }
    if g.hotfix_min_test_days > MAX_DAYS {
        out.push((
            "gates.hotfix_min_test_days".into(),
            format!(
                "hotfix_min_test_days = {} is longer than a year",
                g.hotfix_min_test_days
            ),
            "use a number of days up to 366 (0 = no minimum)".into(),
        ));
    }
    let h = config.support.reaction_hours;
    if h == 0 || h > MAX_DAYS * 24 {
        out.push((
            "support.reaction_hours".into(),
            format!(
                "reaction_hours = {h}; it must be between 1 and {}",
                MAX_DAYS * 24
            ),
            "e.g. reaction_hours = 12".into(),
        ));
    }
    out
}

/// `wsjf` and `rice` use fixed criteria; their formulas take the values as they
/// are, so a criterion entry may only set a `scale` (for range checks).
fn scoring_problems(scoring: &ScoringConfig) -> Vec<Problem> {
    let mut out = Vec::new();
    let Some(fixed) = scoring.model.fixed_criteria() else {
        return out;
    };
    let model = scoring.model.as_str();
    for (name, c) in &scoring.criteria {
        let key = subkey("scoring.criteria", name);
        if !fixed.contains(&name.as_str()) {
            out.push((
                key,
                format!(
                    "the {model} model uses the criteria {}; `{name}` is not one of them",
                    fixed.join(", ")
                ),
                format!("remove `{name}`, or use model = \"weighted\" for criteria of your own"),
            ));
        } else if c.invert || (c.weight - 1.0).abs() > f64::EPSILON {
            let field = if (c.weight - 1.0).abs() > f64::EPSILON {
                "weight"
            } else {
                "invert"
            };
            out.push((
                format!("{key}.{field}"),
                format!(
                    "criterion `{name}`: `weight` and `invert` do not apply to the {model} model"
                ),
                "remove them; only `scale` may be set for its criteria".to_owned(),
            ));
        }
    }
    out
}
