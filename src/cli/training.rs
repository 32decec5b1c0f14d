//! `zyklus training add|list`: partner trainings, one `[[training]]` per session
//! in `trainings/<YEAR>.toml`. `add` refuses a session past the partner's booked
//! quota unless `--extra` records it as separately agreed.

use std::io::{self, Write};

use anyhow::Result;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use toml_edit::{value, ArrayOfTables, DocumentMut, Item, Table};

use super::request::parse_enum;
use super::{Outcome, Settings};
use crate::error::refused;
use crate::model::{Mode, Partners, Quota, Training};
use crate::output::{self, Report};
use crate::ui::Paint;
use crate::workspace::{edit, fsio};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Record a training for a partner (refused past the booked quota without --extra)
    Add(AddArgs),
    /// List the trainings of a year
    List(ListArgs),
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The partner id (see `zyklus partner list`)
    pub partner: String,
    /// The day of the training (YYYY-MM-DD)
    #[arg(long)]
    pub date: NaiveDate,
    /// onsite | remote
    #[arg(long, value_parser = parse_enum::<Mode>)]
    pub mode: Mode,
    /// What the training covers
    #[arg(long)]
    pub topic: Option<String>,
    /// Agreed separately: recorded outside the booked quota
    #[arg(long)]
    pub extra: bool,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only this partner's trainings
    #[arg(long)]
    pub partner: Option<String>,
    /// The year (default: the year of now)
    #[arg(long)]
    pub year: Option<i32>,
}

/// Runs a `training` subcommand.
///
/// # Errors
/// On invalid input, a used-up quota, or a failed write.
pub fn run(command: Command, s: &Settings) -> Result<Outcome> {
    match command {
        Command::Add(a) => add(&a, s),
        Command::List(a) => list(&a, s),
    }
}

fn known_partner<'a>(partners: &'a Partners, id: &str) -> Result<&'a crate::model::Partner> {
    partners.get(id).ok_or_else(|| {
        let ids: Vec<&str> = partners.partners.iter().map(|p| p.id.as_str()).collect();
        refused(
            format!("no partner `{id}` in partners.toml"),
            if ids.is_empty() {
                "add the partner to partners.toml first".to_owned()
            } else {
                format!("use one of: {}", ids.join(", "))
            },
        )
    })
}

/// What `training add` recorded.
#[derive(Debug, Serialize)]
pub struct Added {
    pub file: String,
    pub training: Training,
    /// The partner's quota for the year, including this session.
    pub quota: Quota,
}

impl Report for Added {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        let t = &self.training;
        writeln!(
            w,
            "{} {} training for {}{}{}",
            t.date,
            t.mode,
            t.partner,
            t.topic
                .as_deref()
                .map_or_else(String::new, |x| format!(": {x}")),
            if t.extra { " (extra)" } else { "" }
        )?;
        writeln!(
            w,
            "{}: {} of {} booked trainings used, {} left, {} extra",
            t.date.0.year(),
            self.quota.used,
            self.quota.booked,
            self.quota.left,
            self.quota.extra
        )
    }
}

fn add(a: &AddArgs, s: &Settings) -> Result<Outcome> {
    let root = crate::workspace::discover(s.workspace_arg.as_deref(), &s.cwd)?;
    let _lock = fsio::lock(&root)?;
    let loaded = s.load()?;
    let ws = &loaded.workspace;
    let partner = known_partner(&ws.partners, &a.partner)?;
    let year = a.date.year();
    let quota = Quota::of(partner, ws.trainings_in(year));
    if !a.extra && !quota.has_room() {
        return Err(refused(
            format!(
                "partner `{}` has used all {} trainings booked for {year}",
                partner.id, quota.booked
            ),
            "pass --extra to record it as separately agreed, or raise trainings_booked in partners.toml",
        ));
    }
    if let Some(topic) = &a.topic {
        if topic.trim().is_empty() {
            return Err(refused(
                "the topic is empty",
                "leave --topic out, or say what the training covers",
            ));
        }
    }
    let path = ws.trainings_path(year);
    let rel = ws.relative(&path).to_path_buf();
    let mut doc = if path.exists() {
        let src = std::fs::read_to_string(&path)?;
        edit::parse(&src, &rel)?
    } else {
        let mut d = DocumentMut::new();
        d.decor_mut().set_prefix(format!(
            "# Partner trainings in {year}, written by `zyklus training add`.\n# extra = true: agreed separately, outside the booked quota.\n\n"
        ));
        d
    };
    let mut entry = Table::new();
    entry["partner"] = value(partner.id.clone());
    entry["date"] = edit::date(a.date)?;
    entry["mode"] = value(a.mode.as_str());
    if let Some(topic) = &a.topic {
        entry["topic"] = value(topic.trim());
    }
    if a.extra {
        entry["extra"] = value(true);
    }
    let list = doc
        .entry("training")
        .or_insert_with(|| Item::ArrayOfTables(ArrayOfTables::new()));
    let Some(list) = list.as_array_of_tables_mut() else {
        return Err(refused(
            format!(
                "{}: `training` is not a list of [[training]] tables",
                rel.display()
            ),
            "write each training as a [[training]] table",
        ));
    };
    list.push(entry);
    let mut changes = fsio::Changes::new();
    changes.write(&path, doc.to_string());
    let after = loaded.check_changes(&changes)?;
    changes.commit(&root, s.fault)?;
    s.status(&format!("wrote {}", rel.display()));
    let training = Training {
        partner: partner.id.clone(),
        date: crate::model::dates::Date(a.date),
        mode: a.mode,
        topic: a.topic.as_ref().map(|t| t.trim().to_owned()),
        extra: a.extra,
    };
    let quota = after
        .workspace
        .partners
        .get(&partner.id)
        .map_or(quota, |p| Quota::of(p, after.workspace.trainings_in(year)));
    s.emit(&Added {
        file: rel.display().to_string(),
        training,
        quota,
    })?;
    Ok(Outcome::Success)
}

/// The JSON of `training list`: `{"year", "trainings": [{"partner", "date",
/// "mode", "topic", "extra"}]}`.
#[derive(Debug, Serialize)]
pub struct TrainingList {
    pub year: i32,
    pub trainings: Vec<Training>,
}

impl Report for TrainingList {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        if self.trainings.is_empty() {
            return writeln!(w, "no trainings in {}", self.year);
        }
        let mut t = output::table(["date", "partner", "mode", "topic", "quota"]);
        for x in &self.trainings {
            t.add_row(vec![
                x.date.0.format("%Y-%m-%d %a").to_string(),
                x.partner.clone(),
                x.mode.to_string(),
                x.topic.clone().unwrap_or_default(),
                if x.extra { "extra" } else { "booked" }.to_owned(),
            ]);
        }
        output::write_table(w, &t)?;
        writeln!(w, "{} trainings in {}", self.trainings.len(), self.year)
    }
}

fn list(a: &ListArgs, s: &Settings) -> Result<Outcome> {
    let loaded = s.load()?;
    let ws = &loaded.workspace;
    if let Some(p) = &a.partner {
        known_partner(&ws.partners, p)?;
    }
    let year = a.year.unwrap_or_else(|| s.now.year());
    let mut trainings: Vec<Training> = ws
        .trainings_in(year)
        .iter()
        .filter(|t| a.partner.as_deref().is_none_or(|p| t.partner == p))
        .cloned()
        .collect();
    trainings.sort_by(|x, y| (x.date, &x.partner).cmp(&(y.date, &y.partner)));
    s.emit(&TrainingList { year, trainings })?;
    Ok(Outcome::Success)
}
