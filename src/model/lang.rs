//! Language tags (BCP 47, RFC 5646) as workspaces and partners write them — `de`,
//! `de-AT`, `en-GB`, `sr-Latn-RS` — and what the texts make of them: `de-*` is
//! written with the German templates and texts, `en-*` with the English ones; the
//! region only changes details such as month names (`de-AT` writes „Jänner") and
//! the order of day and month (`en-US`). Tags compare case-insensitively and are
//! kept as written, e.g. in an e-mail's `Content-Language`. Pure.

use chrono::{Datelike, NaiveDate};

/// Checks that `tag` is a well-formed language tag: a primary language subtag of
/// 2–3 letters, then optionally a script (4 letters), a region (2 letters or 3
/// digits) and variants (5–8 letters or digits, or 4 starting with a digit).
///
/// # Errors
/// A sentence saying what is wrong.
pub fn check(tag: &str) -> Result<(), String> {
    let bad = || {
        Err(format!(
            "`{}` is not a language tag (BCP 47) such as \"de\", \"de-AT\" or \"en-GB\"",
            tag.escape_debug()
        ))
    };
    let mut parts = tag.split('-');
    let Some(primary) = parts.next() else {
        return bad();
    };
    if !(2..=3).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_alphabetic()) {
        return bad();
    }
    // 0: script may follow, 1: region may follow, 2: only variants.
    let mut state = 0;
    for p in parts {
        let alpha = p.bytes().all(|b| b.is_ascii_alphabetic());
        let digits = p.bytes().all(|b| b.is_ascii_digit());
        let alnum = p.bytes().all(|b| b.is_ascii_alphanumeric());
        let script = state == 0 && p.len() == 4 && alpha;
        let region = state <= 1 && ((p.len() == 2 && alpha) || (p.len() == 3 && digits));
        let variant = alnum
            && ((5..=8).contains(&p.len()) || (p.len() == 4 && p.as_bytes()[0].is_ascii_digit()));
        if script {
            state = 1;
        } else if region || variant {
            state = 2;
        } else {
            return bad();
        }
    }
    Ok(())
}

/// The primary language subtag in lower case: `de-AT` → `de`.
#[must_use]
pub fn primary(tag: &str) -> String {
    tag.split('-').next().unwrap_or(tag).to_ascii_lowercase()
}

/// The region subtag in upper case, if any: `de-AT` → `AT`, `sr-Latn-RS` → `RS`.
#[must_use]
pub fn region(tag: &str) -> Option<String> {
    tag.split('-')
        .skip(1)
        .find(|p| {
            (p.len() == 2 && p.bytes().all(|b| b.is_ascii_alphabetic()))
                || (p.len() == 3 && p.bytes().all(|b| b.is_ascii_digit()))
        })
        .map(str::to_ascii_uppercase)
}

/// Whether `a` and `b` are the same tag (case-insensitive).
#[must_use]
pub fn same_tag(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Whether `a` and `b` name the same language (`de-AT` and `de`, `de-DE`).
#[must_use]
pub fn same_language(a: &str, b: &str) -> bool {
    primary(a) == primary(b)
}

/// How a text in `tag` is written, given the workspace's `languages`: the tag
/// itself when it is one of them (case-insensitive, spelt as the workspace
/// spells it); the workspace's tag when `tag` is a bare language (`de`) and the
/// workspace writes that language in exactly one way (`de-AT`); `tag` as given
/// when it is a regional variant of a workspace language (`de-DE` next to
/// `de-AT`). None when the workspace does not write the language at all.
#[must_use]
pub fn resolve(tag: &str, languages: &[String]) -> Option<String> {
    if let Some(l) = languages.iter().find(|l| same_tag(l, tag)) {
        return Some(l.clone());
    }
    let same: Vec<&String> = languages.iter().filter(|l| same_language(l, tag)).collect();
    match same.as_slice() {
        [] => None,
        [only] if !tag.contains('-') => Some((*only).clone()),
        _ => Some(tag.to_owned()),
    }
}

/// The key of a text table (`[text]` of a request, `[announce] signature`, …)
/// that serves `tag`: the tag itself, else its bare language (`de` for `de-AT`),
/// else another variant of the language (`de-DE` for `de-AT`).
pub fn pick<'a, I>(keys: I, tag: &str) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a String> + Clone,
{
    let p = primary(tag);
    keys.clone()
        .into_iter()
        .find(|k| same_tag(k, tag))
        .or_else(|| {
            keys.clone()
                .into_iter()
                .find(|k| k.eq_ignore_ascii_case(&p))
        })
        .or_else(|| keys.into_iter().find(|k| same_language(k, tag)))
        .map(String::as_str)
}

const MONTHS_DE: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The month name of `d` in `tag`; none for languages without built-in names.
#[must_use]
pub fn month(d: NaiveDate, tag: &str) -> Option<&'static str> {
    let m = d.month0() as usize;
    match primary(tag).as_str() {
        // Austrian German writes „Jänner" (also in official texts).
        "de" if m == 0 && region(tag).as_deref() == Some("AT") => Some("Jänner"),
        "de" => Some(MONTHS_DE[m]),
        "en" => Some(MONTHS_EN[m]),
        _ => None,
    }
}

/// A date written out for running text: `12. Jänner 2027` (de-AT), `12. Januar
/// 2027` (de), `12 January 2027` (en, en-GB), `January 12, 2027` (en-US); ISO for
/// languages without built-in month names.
#[must_use]
pub fn long_date(d: NaiveDate, tag: &str) -> String {
    let Some(name) = month(d, tag) else {
        return d.format("%Y-%m-%d").to_string();
    };
    match primary(tag).as_str() {
        "de" => format!("{}. {name} {}", d.day(), d.year()),
        "en" if region(tag).as_deref() == Some("US") => {
            format!("{name} {}, {}", d.day(), d.year())
        }
        _ => format!("{} {name} {}", d.day(), d.year()),
    }
}

/// The name of `d`'s weekday in `tag` (`Dienstag`, `Tuesday`); none for
/// languages without built-in names.
#[must_use]
pub fn weekday(d: NaiveDate, tag: &str) -> Option<&'static str> {
    let i = d.weekday().num_days_from_monday() as usize;
    const DE: [&str; 7] = [
        "Montag",
        "Dienstag",
        "Mittwoch",
        "Donnerstag",
        "Freitag",
        "Samstag",
        "Sonntag",
    ];
    const EN: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    match primary(tag).as_str() {
        "de" => Some(DE[i]),
        "en" => Some(EN[i]),
        _ => None,
    }
}

/// A date with its weekday: `Dienstag, 5. Jänner 2027`, `Tuesday, 5 January 2027`.
#[must_use]
pub fn long_date_with_weekday(d: NaiveDate, tag: &str) -> String {
    match weekday(d, tag) {
        Some(w) => format!("{w}, {}", long_date(d, tag)),
        None => long_date(d, tag),
    }
}

/// The city of an IANA time zone as `tag` names it: `Europe/Vienna` → `Wien` in
/// German, `Vienna` in English; the zone's last part (underscores as spaces) for
/// cities without a German name of their own.
#[must_use]
pub fn zone_city(zone: &str, tag: &str) -> String {
    let city = zone.rsplit('/').next().unwrap_or(zone).replace('_', " ");
    if primary(tag) != "de" {
        return city;
    }
    const DE: [(&str, &str); 15] = [
        ("Vienna", "Wien"),
        ("Zurich", "Zürich"),
        ("Rome", "Rom"),
        ("Prague", "Prag"),
        ("Brussels", "Brüssel"),
        ("Warsaw", "Warschau"),
        ("Copenhagen", "Kopenhagen"),
        ("Lisbon", "Lissabon"),
        ("Athens", "Athen"),
        ("Moscow", "Moskau"),
        ("Bucharest", "Bukarest"),
        ("Belgrade", "Belgrad"),
        ("Luxembourg", "Luxemburg"),
        ("Kyiv", "Kiew"),
        ("Kiev", "Kiew"),
    ];
    DE.iter()
        .find(|(en, _)| *en == city)
        .map_or(city.clone(), |(_, de)| (*de).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn well_formed_tags_pass_and_others_do_not() {
        for ok in [
            "de",
            "en",
            "de-AT",
            "de-at",
            "en-GB",
            "en-US",
            "es-419",
            "sr-Latn-RS",
            "de-CH-1996",
            "gsw",
        ] {
            assert!(check(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "d", "deutsch", "de_AT", "de-", "de-A", "de-AT-", "12", "de AT", "de-AT-AT",
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn resolving_against_the_workspace_languages() {
        let ws = vec!["de-AT".to_owned(), "en".to_owned()];
        assert_eq!(resolve("de-at", &ws).as_deref(), Some("de-AT"));
        assert_eq!(resolve("de", &ws).as_deref(), Some("de-AT"));
        assert_eq!(resolve("de-DE", &ws).as_deref(), Some("de-DE"));
        assert_eq!(resolve("en-GB", &ws).as_deref(), Some("en-GB"));
        assert_eq!(resolve("fr", &ws), None);
        let keys = vec!["de".to_owned(), "en".to_owned()];
        assert_eq!(pick(&keys, "de-AT"), Some("de"));
        assert_eq!(pick(&keys, "en-GB"), Some("en"));
        assert_eq!(pick(&keys, "fr"), None);
        let regional = vec!["de-DE".to_owned()];
        assert_eq!(pick(&regional, "de-AT"), Some("de-DE"));
    }

    #[test]
    fn dates_are_written_the_regional_way() {
        let jan = d("2027-01-12");
        assert_eq!(long_date(jan, "de"), "12. Januar 2027");
        assert_eq!(long_date(jan, "de-DE"), "12. Januar 2027");
        assert_eq!(long_date(jan, "de-AT"), "12. Jänner 2027");
        assert_eq!(long_date(d("2027-03-09"), "de-AT"), "9. März 2027");
        assert_eq!(long_date(jan, "en"), "12 January 2027");
        assert_eq!(long_date(jan, "en-GB"), "12 January 2027");
        assert_eq!(long_date(jan, "en-US"), "January 12, 2027");
        assert_eq!(long_date(jan, "fr"), "2027-01-12");
        assert_eq!(
            long_date_with_weekday(d("2027-01-05"), "de-AT"),
            "Dienstag, 5. Jänner 2027"
        );
        assert_eq!(
            long_date_with_weekday(d("2027-01-05"), "en"),
            "Tuesday, 5 January 2027"
        );
    }

    #[test]
    fn cities_of_time_zones() {
        assert_eq!(zone_city("Europe/Vienna", "de-AT"), "Wien");
        assert_eq!(zone_city("Europe/Vienna", "en"), "Vienna");
        assert_eq!(zone_city("Europe/Berlin", "de"), "Berlin");
        assert_eq!(zone_city("America/New_York", "de"), "New York");
        assert_eq!(zone_city("Europe/Ljubljana", "de"), "Ljubljana");
    }
}
