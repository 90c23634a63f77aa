//! The reporting calendar of Decree 09/2019/NĐ-CP, in Vietnam time (contract
//! v2, "Data sets and the reporting calendar").
//!
//! * A period's data closes on the **cut-off**: day `cutoff_day` of its last
//!   month; with no `cutoff_day`, or one past the month's end, the month's
//!   last day.
//! * The report is **due** `due_days` days after the cut-off, at the end of
//!   that day in Vietnam time (UTC+7): 2023Q3 with cut-off 14 and 2 days is
//!   due 2023-09-16, and a report first submitted at 2023-09-16 23:59:59.999999
//!   (UTC+7) is on time, one microsecond later it is late.
//! * The parent's approval is due `approval_due_days` after the due date.
//! * With `lock_after_days`, reporters and tokens can no longer change the
//!   figures once the report has been due for that many days: the lock
//!   starts with the first microsecond after the end of the day
//!   `due date + lock_after_days` (so `0` locks as soon as the report is
//!   late, never during its last day).
//! * A report can be submitted once its period has started: 00:00 (UTC+7) of
//!   the first day of its first month.
//!
//! Instants are `i64` microseconds since the Unix epoch (UTC), as stored
//! everywhere in the project. Vietnam has kept UTC+7 without daylight saving
//! since 1975, so a fixed offset is exact for every date the system handles.
//!
//! The date arithmetic is Howard Hinnant's `days_from_civil` /
//! `civil_from_days` (proleptic Gregorian calendar) on years 1000 to 9999, the
//! same range as [`Month`]; the tests check it against chrono day by day.

use std::fmt;
use std::str::FromStr;

use crate::error::{DomainError, echo};
use crate::period::{Month, Period};

/// Microseconds in a day.
pub const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Vietnam's offset from UTC (UTC+7), in microseconds.
pub const VIETNAM_OFFSET_MICROS: i64 = 7 * 3_600 * 1_000_000;

/// Largest `due_days`, `approval_due_days` and `lock_after_days`.
pub const MAX_SCHEDULE_DAYS: i64 = 366;

/// Whether `year` is a leap year in the Gregorian calendar.
pub fn is_leap_year(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Number of days in `month`: 28 to 31.
pub fn days_in_month(month: Month) -> u32 {
    match month.month() {
        2 if is_leap_year(month.year()) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A calendar date from 1000-01-01 to 9999-12-31. Orders chronologically;
/// prints and parses as `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    month: Month,
    /// 1 to [`days_in_month`] of `month`.
    day: u8,
}

impl Date {
    /// The date `year-month-day`; [`DomainError::InvalidDate`] when it does
    /// not exist (`2023-02-29`) or lies outside years 1000 to 9999.
    pub fn new(year: i32, month: u32, day: u32) -> Result<Date, DomainError> {
        let input = || format!("{year:04}-{month:02}-{day:02}");
        let m = Month::new(year, month).map_err(|e| DomainError::InvalidDate {
            input: input(),
            reason: match e {
                DomainError::InvalidPeriod { reason, .. } => reason,
                other => other.to_string(),
            },
        })?;
        Date::in_month(m, day).ok_or_else(|| DomainError::InvalidDate {
            input: input(),
            reason: format!("day {day} is outside 1 to {}", days_in_month(m)),
        })
    }

    /// Day `day` of `month`, if the month has it.
    fn in_month(month: Month, day: u32) -> Option<Date> {
        if (1..=days_in_month(month)).contains(&day) {
            Some(Date {
                month,
                day: u8::try_from(day).ok()?,
            })
        } else {
            None
        }
    }

    /// Parse `YYYY-MM-DD` exactly (four-digit year, two-digit month and
    /// day, no whitespace).
    pub fn parse(s: &str) -> Result<Date, DomainError> {
        let b = s.as_bytes();
        let shape_ok = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shape_ok {
            return Err(DomainError::InvalidDate {
                input: echo(s),
                reason: "expected YYYY-MM-DD".to_owned(),
            });
        }
        let number = |range: std::ops::Range<usize>| {
            b[range]
                .iter()
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
        };
        let year = i32::try_from(number(0..4)).unwrap_or(0);
        Date::new(year, number(5..7), number(8..10))
    }

    /// The first day of `month`.
    pub fn first_of(month: Month) -> Date {
        Date { month, day: 1 }
    }

    /// The last day of `month`.
    pub fn last_of(month: Month) -> Date {
        Date {
            month,
            // 28 to 31 always fits.
            day: u8::try_from(days_in_month(month)).unwrap_or(28),
        }
    }

    /// The calendar year.
    pub fn year(self) -> i32 {
        self.month.year()
    }

    /// The month of the year, 1 to 12.
    pub fn month(self) -> u32 {
        self.month.month()
    }

    /// The day of the month, from 1.
    pub fn day(self) -> u32 {
        u32::from(self.day)
    }

    /// The month this date lies in.
    pub fn month_of(self) -> Month {
        self.month
    }

    /// Days since 1970-01-01 (negative before it).
    pub fn days_since_epoch(self) -> i64 {
        days_from_civil(i64::from(self.year()), self.month(), self.day())
    }

    /// The date `days` days after 1970-01-01, if it lies in years 1000 to
    /// 9999.
    pub fn from_days_since_epoch(days: i64) -> Option<Date> {
        let (year, month, day) = civil_from_days(days)?;
        let month = Month::new(i32::try_from(year).ok()?, month).ok()?;
        Date::in_month(month, day)
    }

    /// The date `days` days later; [`DomainError::InvalidDate`] past
    /// 9999-12-31.
    pub fn add_days(self, days: u32) -> Result<Date, DomainError> {
        Date::from_days_since_epoch(self.days_since_epoch() + i64::from(days)).ok_or_else(|| {
            DomainError::InvalidDate {
                input: format!("{self} + {days} days"),
                reason: "after 9999-12-31".to_owned(),
            }
        })
    }

    /// The instant this day starts in Vietnam: 00:00:00 UTC+7, in
    /// microseconds since the Unix epoch.
    pub fn start_micros(self) -> i64 {
        // |days| < 3 million, so this stays far inside i64.
        self.days_since_epoch() * MICROS_PER_DAY - VIETNAM_OFFSET_MICROS
    }

    /// The last instant of this day in Vietnam: 23:59:59.999999 UTC+7, one
    /// microsecond before the next day starts. Something done at this
    /// instant was done "by the end of the day"; one microsecond later it
    /// was not.
    pub fn end_micros(self) -> i64 {
        self.start_micros() + MICROS_PER_DAY - 1
    }

    /// The date in Vietnam at an instant; [`DomainError::InvalidDate`] when
    /// it lies outside years 1000 to 9999.
    pub fn at(micros: i64) -> Result<Date, DomainError> {
        let local = i128::from(micros) + i128::from(VIETNAM_OFFSET_MICROS);
        let days = local.div_euclid(i128::from(MICROS_PER_DAY));
        i64::try_from(days)
            .ok()
            .and_then(Date::from_days_since_epoch)
            .ok_or_else(|| DomainError::InvalidDate {
                input: format!("{micros} µs since the epoch"),
                reason: "outside years 1000 to 9999".to_owned(),
            })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}", self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = DomainError;

    /// Same as [`Date::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Date::parse(s)
    }
}

/// Days from 1970-01-01 to `y-m-d` (Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let (m, d) = (i64::from(m), i64::from(d));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // [0, 399]
    let mp = (m + 9) % 12; // March = 0
    let doy = (153 * mp + 2) / 5 + d - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// The civil date `days` after 1970-01-01 (Hinnant's `civil_from_days`);
/// `None` only when the year would not fit.
fn civil_from_days(days: i64) -> Option<(i64, u32, u32)> {
    let z = days.checked_add(719_468)?;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    let y = era.checked_mul(400)?.checked_add(yoe)? + i64::from(m <= 2);
    Some((y, u32::try_from(m).ok()?, u32::try_from(d).ok()?))
}

/// The month in Vietnam at an instant (for "its planned month is over");
/// [`DomainError::InvalidDate`] outside years 1000 to 9999.
pub fn month_at(micros: i64) -> Result<Month, DomainError> {
    Date::at(micros).map(Date::month_of)
}

/// Whether `period` has started at `at`: at or after 00:00 (UTC+7) of the
/// first day of its first month. A report can be submitted from then on.
pub fn period_started(period: &Period, at: i64) -> bool {
    at >= Date::first_of(period.start()).start_micros()
}

/// The calendar settings of a data set, validated: `cutoff_day` 1 to 31 or
/// none (the month's last day); `due_days` and `approval_due_days` 0 to 366;
/// `lock_after_days` 0 to 366 or none (no deadline lock).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Schedule {
    cutoff_day: Option<u8>,
    due_days: u16,
    approval_due_days: u16,
    lock_after_days: Option<u16>,
}

impl Schedule {
    /// Validate the four settings as they arrive in a data set. Each
    /// failure is [`DomainError::InvalidSchedule`] naming its field, so a
    /// bundle error can point at `data_sets[0].cutoff_day`.
    pub fn new(
        cutoff_day: Option<i64>,
        due_days: i64,
        approval_due_days: i64,
        lock_after_days: Option<i64>,
    ) -> Result<Schedule, DomainError> {
        let cutoff_day = cutoff_day
            .map(|d| bounded("cutoff_day", d, 1, 31).and_then(|d| narrow("cutoff_day", d)))
            .transpose()?;
        let days = |field: &'static str, d: i64| {
            bounded(field, d, 0, MAX_SCHEDULE_DAYS).and_then(|d| narrow(field, d))
        };
        Ok(Schedule {
            cutoff_day,
            due_days: days("due_days", due_days)?,
            approval_due_days: days("approval_due_days", approval_due_days)?,
            lock_after_days: lock_after_days
                .map(|d| days("lock_after_days", d))
                .transpose()?,
        })
    }

    /// Day of the last month on which the data closes; `None` for the
    /// month's last day.
    pub fn cutoff_day(&self) -> Option<u32> {
        self.cutoff_day.map(u32::from)
    }

    /// Days from the cut-off to the due date.
    pub fn due_days(&self) -> u32 {
        u32::from(self.due_days)
    }

    /// Days from the due date to the parent's approval due date.
    pub fn approval_due_days(&self) -> u32 {
        u32::from(self.approval_due_days)
    }

    /// Days from the due date to the deadline lock; `None` for no lock.
    pub fn lock_after_days(&self) -> Option<u32> {
        self.lock_after_days.map(u32::from)
    }

    /// The cut-off of `period`: `cutoff_day` of its last month, or the
    /// month's last day when there is none or it lies past the month's end
    /// (31 in September is the 30th).
    pub fn cutoff(&self, period: &Period) -> Date {
        let month = period.end();
        match self.cutoff_day {
            Some(day) if u32::from(day) <= days_in_month(month) => Date { month, day },
            _ => Date::last_of(month),
        }
    }

    /// Every deadline of `period`. [`DomainError::InvalidDate`] when one of
    /// them would fall after 9999-12-31.
    pub fn deadlines(&self, period: &Period) -> Result<Deadlines, DomainError> {
        let cutoff = self.cutoff(period);
        let due = cutoff.add_days(self.due_days())?;
        Ok(Deadlines {
            cutoff,
            due,
            approval_due: due.add_days(self.approval_due_days())?,
            lock: self
                .lock_after_days()
                .map(|days| due.add_days(days))
                .transpose()?,
        })
    }
}

/// Check `lo <= value <= hi` for a schedule field.
fn bounded(field: &'static str, value: i64, lo: i64, hi: i64) -> Result<i64, DomainError> {
    if (lo..=hi).contains(&value) {
        Ok(value)
    } else {
        Err(DomainError::InvalidSchedule {
            field,
            input: value.to_string(),
            reason: format!("must be between {lo} and {hi}"),
        })
    }
}

/// Narrow a checked value to a smaller integer type.
fn narrow<T: TryFrom<i64>>(field: &'static str, value: i64) -> Result<T, DomainError> {
    T::try_from(value).map_err(|_| DomainError::InvalidSchedule {
        field,
        input: value.to_string(),
        reason: "out of range".to_owned(),
    })
}

/// The deadlines of one period under a [`Schedule`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Deadlines {
    cutoff: Date,
    due: Date,
    approval_due: Date,
    lock: Option<Date>,
}

impl Deadlines {
    /// The day the period's data closes.
    pub fn cutoff(&self) -> Date {
        self.cutoff
    }

    /// The due date (the report's `due_date`).
    pub fn due(&self) -> Date {
        self.due
    }

    /// The date the parent's approval is due.
    pub fn approval_due(&self) -> Date {
        self.approval_due
    }

    /// The last day before the deadline lock, if the data set has one.
    pub fn lock(&self) -> Option<Date> {
        self.lock
    }

    /// The last instant a report is on time: the end of the due day in
    /// Vietnam ([`Date::end_micros`]).
    pub fn due_at(&self) -> i64 {
        self.due.end_micros()
    }

    /// Whether a report first submitted at `submitted_at` was on time: at or
    /// before [`due_at`](Self::due_at).
    pub fn is_on_time(&self, submitted_at: i64) -> bool {
        submitted_at <= self.due_at()
    }

    /// Whether the deadline lock holds at `at`: after the end of the
    /// [`lock`](Self::lock) day in Vietnam. Always false without a lock.
    pub fn is_locked_at(&self, at: i64) -> bool {
        self.lock.is_some_and(|day| at > day.end_micros())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::{Datelike, Days, NaiveDate};
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    fn schedule(cutoff: Option<i64>, due: i64, approval: i64, lock: Option<i64>) -> Schedule {
        Schedule::new(cutoff, due, approval, lock).unwrap()
    }

    /// Micros of a UTC wall-clock time.
    fn utc(y: i32, m: u32, day: u32, h: u32, min: u32, s: u32, micro: u32) -> i64 {
        NaiveDate::from_ymd_opt(y, m, day)
            .unwrap()
            .and_hms_micro_opt(h, min, s, micro)
            .unwrap()
            .and_utc()
            .timestamp_micros()
    }

    #[test]
    fn the_contract_example_is_due_on_the_16th() {
        let s = schedule(Some(14), 2, 3, Some(30));
        let dl = s.deadlines(&p("2023Q3")).unwrap();
        assert_eq!(dl.cutoff().to_string(), "2023-09-14");
        assert_eq!(dl.due().to_string(), "2023-09-16");
        assert_eq!(dl.approval_due().to_string(), "2023-09-19");
        assert_eq!(dl.lock().unwrap().to_string(), "2023-10-16");
    }

    #[test]
    fn due_means_by_the_end_of_the_day_in_vietnam() {
        let dl = schedule(Some(14), 2, 3, None)
            .deadlines(&p("2023Q3"))
            .unwrap();
        // 2023-09-16 23:59:59.999999 in UTC+7 is 16:59:59.999999 UTC.
        let last = utc(2023, 9, 16, 16, 59, 59, 999_999);
        assert_eq!(dl.due_at(), last);
        assert!(dl.is_on_time(last));
        assert!(!dl.is_on_time(last + 1));
        assert!(dl.is_on_time(utc(2023, 9, 1, 0, 0, 0, 0)));
        // 17:00 UTC on the 16th is already the 17th in Vietnam.
        assert!(!dl.is_on_time(utc(2023, 9, 16, 17, 0, 0, 0)));
    }

    #[test]
    fn the_lock_starts_after_the_end_of_its_day() {
        let dl = schedule(Some(14), 2, 0, Some(0))
            .deadlines(&p("2023Q3"))
            .unwrap();
        assert_eq!(dl.lock(), Some(dl.due()));
        assert!(!dl.is_locked_at(dl.due_at()));
        assert!(dl.is_locked_at(dl.due_at() + 1));
        let dl = schedule(Some(14), 2, 0, Some(30))
            .deadlines(&p("2023Q3"))
            .unwrap();
        let lock_end = d("2023-10-16").end_micros();
        assert!(!dl.is_locked_at(lock_end));
        assert!(dl.is_locked_at(lock_end + 1));
        let none = schedule(None, 0, 0, None).deadlines(&p("2023Q3")).unwrap();
        assert!(!none.is_locked_at(i64::MAX));
    }

    #[test]
    fn cutoff_defaults_to_and_is_capped_at_the_months_last_day() {
        assert_eq!(
            schedule(None, 0, 0, None).cutoff(&p("2023Q3")),
            d("2023-09-30")
        );
        assert_eq!(
            schedule(Some(31), 0, 0, None).cutoff(&p("2023Q3")),
            d("2023-09-30")
        );
        assert_eq!(
            schedule(Some(30), 0, 0, None).cutoff(&p("2023-02")),
            d("2023-02-28")
        );
        assert_eq!(
            schedule(Some(29), 0, 0, None).cutoff(&p("2024-02")),
            d("2024-02-29")
        );
        assert_eq!(
            schedule(Some(1), 0, 0, None).cutoff(&p("2023")),
            d("2023-12-01")
        );
        // The cut-off is in the period's last month, whatever its type.
        assert_eq!(
            schedule(Some(14), 0, 0, None).cutoff(&p("2023-01/2023-09")),
            d("2023-09-14")
        );
    }

    #[test]
    fn deadlines_cross_months_and_years() {
        let dl = schedule(None, 20, 10, Some(366))
            .deadlines(&p("2023Q4"))
            .unwrap();
        assert_eq!(dl.due(), d("2024-01-20"));
        assert_eq!(dl.approval_due(), d("2024-01-30"));
        assert_eq!(dl.lock(), Some(d("2025-01-20")));
    }

    #[test]
    fn deadlines_past_9999_are_errors_not_panics() {
        let err = schedule(None, 1, 0, None)
            .deadlines(&p("9999-12"))
            .unwrap_err();
        assert_eq!(err.code(), "invalid_date");
        assert!(schedule(None, 0, 0, None).deadlines(&p("9999-12")).is_ok());
        assert!(schedule(None, 0, 1, None).deadlines(&p("9999-12")).is_err());
        assert!(
            schedule(None, 0, 0, Some(1))
                .deadlines(&p("9999-12"))
                .is_err()
        );
    }

    #[test]
    fn schedule_validates_each_field() {
        let s = schedule(Some(14), 2, 3, Some(30));
        assert_eq!(s.cutoff_day(), Some(14));
        assert_eq!(s.due_days(), 2);
        assert_eq!(s.approval_due_days(), 3);
        assert_eq!(s.lock_after_days(), Some(30));
        assert!(Schedule::new(Some(1), 0, 0, Some(0)).is_ok());
        assert!(Schedule::new(Some(31), 366, 366, Some(366)).is_ok());
        for (args, field) in [
            ((Some(0), 0, 0, None), "cutoff_day"),
            ((Some(32), 0, 0, None), "cutoff_day"),
            ((Some(-1), 0, 0, None), "cutoff_day"),
            ((None, -1, 0, None), "due_days"),
            ((None, 367, 0, None), "due_days"),
            ((None, 0, i64::MAX, None), "approval_due_days"),
            ((None, 0, 0, Some(i64::MIN)), "lock_after_days"),
        ] {
            let err = Schedule::new(args.0, args.1, args.2, args.3).unwrap_err();
            assert_eq!(err.code(), "invalid_schedule");
            match err {
                DomainError::InvalidSchedule { field: f, .. } => assert_eq!(f, field),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn dates_parse_and_print_strictly() {
        for s in ["2023-09-16", "2024-02-29", "1000-01-01", "9999-12-31"] {
            assert_eq!(d(s).to_string(), s);
        }
        let date = d("2023-09-16");
        assert_eq!((date.year(), date.month(), date.day()), (2023, 9, 16));
        assert_eq!(date.month_of(), Month::new(2023, 9).unwrap());
        for bad in [
            "2023-02-29",
            "2100-02-29",
            "2023-13-01",
            "2023-00-10",
            "2023-04-31",
            "2023-09-00",
            "0999-12-31",
            "2023-9-16",
            "2023/09/16",
            " 2023-09-16",
            "2023-09-16T00",
            "",
            "２０２３-09-16",
            "+023-09-16",
        ] {
            let err = Date::parse(bad).unwrap_err();
            assert_eq!(err.code(), "invalid_date", "{bad:?}");
        }
        assert!("2000-02-29".parse::<Date>().is_ok());
    }

    #[test]
    fn leap_years_and_month_lengths() {
        assert!(is_leap_year(2024) && is_leap_year(2000) && is_leap_year(1600));
        assert!(!is_leap_year(2023) && !is_leap_year(1900) && !is_leap_year(2100));
        let len = |y, m| days_in_month(Month::new(y, m).unwrap());
        assert_eq!(len(2023, 2), 28);
        assert_eq!(len(2024, 2), 29);
        assert_eq!(len(2023, 4), 30);
        assert_eq!(len(2023, 12), 31);
        assert_eq!(Date::last_of(Month::new(2024, 2).unwrap()), d("2024-02-29"));
        assert_eq!(
            Date::first_of(Month::new(2024, 2).unwrap()),
            d("2024-02-01")
        );
    }

    #[test]
    fn vietnam_days_start_at_17_utc_the_day_before() {
        let start = d("2023-07-01").start_micros();
        assert_eq!(start, utc(2023, 6, 30, 17, 0, 0, 0));
        assert_eq!(d("1970-01-01").start_micros(), -VIETNAM_OFFSET_MICROS);
        assert_eq!(Date::at(start).unwrap(), d("2023-07-01"));
        assert_eq!(Date::at(start - 1).unwrap(), d("2023-06-30"));
        assert_eq!(month_at(start).unwrap().to_string(), "2023-07");
        assert_eq!(month_at(start - 1).unwrap().to_string(), "2023-06");
        assert_eq!(Date::at(0).unwrap(), d("1970-01-01"));
    }

    #[test]
    fn instants_outside_the_calendar_are_errors() {
        for micros in [i64::MIN, i64::MAX, d("1000-01-01").start_micros() - 1] {
            assert_eq!(Date::at(micros).unwrap_err().code(), "invalid_date");
            assert!(month_at(micros).is_err());
        }
        assert!(Date::at(d("9999-12-31").end_micros()).is_ok());
        assert!(Date::at(d("9999-12-31").end_micros() + 1).is_err());
        assert!(d("9999-12-31").add_days(1).is_err());
        assert_eq!(d("9999-12-30").add_days(1).unwrap(), d("9999-12-31"));
        assert_eq!(d("2023-12-31").add_days(0).unwrap(), d("2023-12-31"));
        assert!(d("1000-01-01").add_days(u32::MAX).is_err());
    }

    #[test]
    fn a_period_starts_at_midnight_vietnam_time() {
        let q3 = p("2023Q3");
        let start = utc(2023, 6, 30, 17, 0, 0, 0);
        assert!(period_started(&q3, start));
        assert!(!period_started(&q3, start - 1));
        assert!(period_started(&q3, i64::MAX));
        assert!(!period_started(&q3, i64::MIN));
    }

    fn chrono_date(date: Date) -> NaiveDate {
        NaiveDate::from_ymd_opt(date.year(), date.month(), date.day()).unwrap()
    }

    #[test]
    fn every_day_from_1000_to_9999_agrees_with_chrono() {
        let first = d("1000-01-01");
        let mut reference = chrono_date(first);
        let mut days = first.days_since_epoch();
        let mut count = 0;
        while let Some(date) = Date::from_days_since_epoch(days) {
            assert_eq!(
                (date.year(), date.month(), date.day()),
                (reference.year(), reference.month(), reference.day())
            );
            assert_eq!(date.days_since_epoch(), days);
            reference = reference.succ_opt().unwrap();
            days += 1;
            count += 1;
        }
        assert_eq!(reference, NaiveDate::from_ymd_opt(10_000, 1, 1).unwrap());
        assert_eq!(count, 9000 * 365 + 2182); // 2182 leap years in 1000..=9999
        assert_eq!(
            Date::from_days_since_epoch(first.days_since_epoch() - 1),
            None
        );
    }

    proptest! {
        #[test]
        fn day_arithmetic_agrees_with_chrono(
            days in d("1000-01-01").days_since_epoch()..=d("9999-12-31").days_since_epoch(),
            add in 0u32..800,
        ) {
            let date = Date::from_days_since_epoch(days).unwrap();
            let reference = NaiveDate::from_ymd_opt(1970, 1, 1)
                .unwrap()
                .checked_add_signed(chrono::Duration::days(days))
                .unwrap();
            prop_assert_eq!(chrono_date(date), reference);
            prop_assert_eq!(date.days_since_epoch(), days);
            prop_assert_eq!(Date::parse(&date.to_string()), Ok(date));
            prop_assert_eq!(date.to_string(), reference.format("%Y-%m-%d").to_string());
            match date.add_days(add) {
                Ok(later) => prop_assert_eq!(
                    chrono_date(later),
                    reference.checked_add_days(Days::new(u64::from(add))).unwrap()
                ),
                Err(_) => prop_assert!(
                    reference.checked_add_days(Days::new(u64::from(add))).unwrap().year() > 9999
                ),
            }
        }

        #[test]
        fn the_vietnam_date_of_an_instant_agrees_with_chrono(
            micros in d("1000-01-01").start_micros()..=d("9999-12-31").end_micros()
        ) {
            let date = Date::at(micros).unwrap();
            let offset = chrono::FixedOffset::east_opt(7 * 3600).unwrap();
            let reference = chrono::DateTime::from_timestamp_micros(micros)
                .unwrap()
                .with_timezone(&offset)
                .date_naive();
            prop_assert_eq!(chrono_date(date), reference);
            prop_assert!(date.start_micros() <= micros && micros <= date.end_micros());
        }

        #[test]
        fn on_time_is_exactly_up_to_the_end_of_the_due_day(
            cutoff in proptest::option::of(1i64..=31),
            due in 0i64..=366,
            end in (2000 * 12)..(2100 * 12),
            offset in -2 * MICROS_PER_DAY..2 * MICROS_PER_DAY,
        ) {
            let period = Period::month(Month::from_index(end).unwrap());
            let dl = schedule(cutoff, due, 0, None).deadlines(&period).unwrap();
            let at = dl.due_at() + offset;
            prop_assert_eq!(dl.is_on_time(at), Date::at(at).unwrap() <= dl.due());
            prop_assert!(dl.cutoff() <= dl.due());
            prop_assert_eq!(dl.cutoff().month_of(), period.end());
        }

        #[test]
        fn never_panics(s in "\\PC{0,12}", micros in any::<i64>(), a in any::<i64>(), b in any::<i64>()) {
            let _ = Date::parse(&s);
            let _ = Date::at(micros);
            let _ = month_at(micros);
            let _ = Schedule::new(Some(a), b, a, Some(b));
            let _ = Date::from_days_since_epoch(a);
        }
    }
}
