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
    pub import: crate::import::ImportConfig,
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

/// Checks of the configuration beyond its types (calendar rule, gates, …), as
/// `(key path, message, hint)`; the loader points each at its line.
#[must_use]
pub fn extra_problems(config: &Config) -> Vec<(String, String, String)> {
    let mut out = super::calendar::problems(&config.calendar);
    if let Some(c) = &config.coordination {
        out.extend(super::calendar::coordination_problems(c));
    }
    out.extend(scoring_problems(&config.scoring));
    out.extend(gates_problems(config));
    out.extend(crate::import::config::problems(&config.import));
    out
}

/// The longest test phase or reaction promise that makes sense (a year).
const MAX_DAYS: u32 = 366;

/// `[gates]` and `[support]`: lengths must be sensible; a reaction promise of zero
/// hours cannot be kept.
fn gates_problems(config: &Config) -> Vec<(String, String, String)> {
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
fn scoring_problems(scoring: &ScoringConfig) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let Some(fixed) = scoring.model.fixed_criteria() else {
        return out;
    };
    let model = scoring.model.as_str();
    for (name, c) in &scoring.criteria {
        // The key path as the loader reads it: `scoring.criteria."<name>"`.
        let key = format!(
            "scoring.criteria.\"{}\"",
            name.replace('\\', "\\\\").replace('"', "\\\"")
        );
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
