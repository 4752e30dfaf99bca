//! Importing the former-employee roster from HR's CSV files.
//!
//! The file is UTF-8 (with or without a byte-order mark) and has a header
//! row naming its columns, in English or Japanese, in any order:
//!
//! | column | also | content |
//! |---|---|---|
//! | `employee_number` | `社員番号` | required, unique in the file |
//! | `full_name` | `氏名` | required |
//! | `full_name_kana` | `氏名カナ`, `フリガナ` | required, kana |
//! | `former_surnames` | `旧姓` | optional; several separated by `;` or `、` |
//! | `emails` | `メールアドレス` | optional; several separated by `;` |
//! | `company` | `会社` | the company's short name or full name |
//! | `joined_on` | `入社日` | `YYYY-MM-DD` or `YYYY/MM/DD` |
//! | `left_on` | `退職日` | as `joined_on`; not in the future |
//! | `last_department` | `最終所属` | optional |
//!
//! Entries are upserted by employee number, and only changed entries are
//! written, so importing the same file twice changes nothing. A file with
//! any bad row is refused whole, with every bad line and why; nothing of it
//! is written.

use std::collections::HashMap;

use alumni_core::audit::{self, AuditEntry};
use alumni_core::{AppError, AppResult, search};
use chrono::NaiveDate;
use diesel_async::AsyncConnection as _;
use serde_json::json;
use unicode_normalization::UnicodeNormalization as _;

use super::{MembershipService, kana_field, list_field, text_field};
use crate::model::{
    CompanyId, CompanyRecord, RosterEntryId, RosterEntryRecord, RosterEntryValues, strings,
    validate_email,
};
use crate::store::{companies, roster as store};

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RosterImportReport {
    /// Rows in the file.
    pub rows: usize,
    /// New entries.
    pub inserted: usize,
    /// Entries whose values changed.
    pub updated: usize,
    /// Entries already up to date.
    pub unchanged: usize,
}

/// A bad line of a roster file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterLineError {
    /// Line number in the file (the header is line 1).
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

/// A roster file refused whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the roster file was refused: {} bad line(s)", .errors.len())]
pub struct RosterRejected {
    /// Every problem found, in file order.
    pub errors: Vec<RosterLineError>,
}

impl MembershipService {
    /// Imports a roster file (see the module docs). For trusted callers
    /// only (the command line): HR's files are imported by operators.
    /// `Ok(Err(_))` is a refused file; nothing was written.
    pub async fn import_roster(
        &self,
        csv: &[u8],
    ) -> AppResult<Result<RosterImportReport, RosterRejected>> {
        let mut conn = self.ctx.conn().await?;
        let known_companies = companies::all_companies(&mut conn).await?;
        let rows = match parse_roster(csv, &known_companies, self.today()) {
            Ok(rows) => rows,
            Err(rejected) => return Ok(Err(rejected)),
        };
        let now = self.ctx.now();
        let report = conn
            .transaction(async |conn| {
                store::lock_for_import(conn).await?;
                let numbers: Vec<String> =
                    rows.iter().map(|row| row.employee_number.clone()).collect();
                let existing: HashMap<String, RosterEntryRecord> =
                    store::entries_by_employee_numbers(conn, &numbers)
                        .await?
                        .into_iter()
                        .map(|entry| (entry.employee_number.clone(), entry))
                        .collect();
                let mut report = RosterImportReport {
                    rows: rows.len(),
                    ..Default::default()
                };
                let mut new_entries = Vec::new();
                for row in &rows {
                    match existing.get(&row.employee_number) {
                        None => new_entries.push((RosterEntryId::new(), row.clone())),
                        Some(entry) if values_of(entry) != *row => {
                            store::update_entry(conn, entry.id, row, now).await?;
                            report.updated += 1;
                        }
                        Some(_) => report.unchanged += 1,
                    }
                }
                report.inserted = new_entries.len();
                store::insert_entries(conn, &new_entries, now).await?;
                audit::record(
                    conn,
                    now,
                    AuditEntry::new("membership.roster_imported").details(json!({
                        "rows": report.rows,
                        "inserted": report.inserted,
                        "updated": report.updated,
                        "unchanged": report.unchanged,
                    })),
                )
                .await?;
                Ok::<_, AppError>(report)
            })
            .await?;
        Ok(Ok(report))
    }
}

fn values_of(entry: &RosterEntryRecord) -> RosterEntryValues {
    RosterEntryValues {
        employee_number: entry.employee_number.clone(),
        full_name: entry.full_name.clone(),
        full_name_kana: entry.full_name_kana.clone(),
        former_surnames: strings(entry.former_surnames.clone()),
        emails: strings(entry.emails.clone()),
        company_id: entry.company_id,
        joined_on: entry.joined_on,
        left_on: entry.left_on,
        last_department: entry.last_department.clone(),
        name_key: entry.name_key.clone(),
        kana_key: entry.kana_key.clone(),
    }
}

/// The columns of a roster file and the header names that mean them.
const COLUMNS: [(Column, &[&str]); 9] = [
    (Column::EmployeeNumber, &["employee_number", "社員番号"]),
    (Column::FullName, &["full_name", "氏名"]),
    (
        Column::FullNameKana,
        &["full_name_kana", "kana", "氏名カナ", "フリガナ"],
    ),
    (Column::FormerSurnames, &["former_surnames", "旧姓"]),
    (Column::Emails, &["emails", "email", "メールアドレス"]),
    (Column::Company, &["company", "会社"]),
    (Column::JoinedOn, &["joined_on", "入社日"]),
    (Column::LeftOn, &["left_on", "退職日"]),
    (Column::LastDepartment, &["last_department", "最終所属"]),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    EmployeeNumber,
    FullName,
    FullNameKana,
    FormerSurnames,
    Emails,
    Company,
    JoinedOn,
    LeftOn,
    LastDepartment,
}

impl Column {
    fn name(self) -> &'static str {
        COLUMNS
            .iter()
            .find(|(column, _)| *column == self)
            .map_or("?", |(_, names)| names[0])
    }

    fn required(self) -> bool {
        !matches!(
            self,
            Column::FormerSurnames | Column::Emails | Column::LastDepartment
        )
    }
}

/// Parses and checks a whole roster file; every problem is reported.
fn parse_roster(
    bytes: &[u8],
    known_companies: &[CompanyRecord],
    today: NaiveDate,
) -> Result<Vec<RosterEntryValues>, RosterRejected> {
    let refuse = |line: u64, message: String| RosterRejected {
        errors: vec![RosterLineError { line, message }],
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if std::str::from_utf8(bytes).is_err() {
        return Err(refuse(
            1,
            "the file is not UTF-8; save it from Excel as \"CSV UTF-8\"".into(),
        ));
    }
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header = reader
        .headers()
        .map_err(|err| refuse(1, format!("cannot read the header row: {err}")))?
        .clone();
    let mut positions = HashMap::new();
    for (index, name) in header.iter().enumerate() {
        let name = name.trim().to_lowercase();
        if let Some((column, _)) = COLUMNS
            .iter()
            .find(|(_, names)| names.contains(&name.as_str()))
        {
            positions.insert(*column, index);
        }
    }
    let missing: Vec<&str> = COLUMNS
        .iter()
        .map(|(column, _)| *column)
        .filter(|column| column.required() && !positions.contains_key(column))
        .map(Column::name)
        .collect();
    if !missing.is_empty() {
        return Err(refuse(
            1,
            format!("missing column(s): {}", missing.join(", ")),
        ));
    }

    let companies_by_name: HashMap<String, CompanyId> = known_companies
        .iter()
        .flat_map(|company| {
            [
                (company.short_name.to_lowercase(), company.id),
                (company.name.to_lowercase(), company.id),
            ]
        })
        .collect();
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    let mut first_line_of: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                let line = err.position().map_or(0, csv::Position::line);
                errors.push(RosterLineError {
                    line,
                    message: format!("unreadable row: {err}"),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        if record.iter().all(|value| value.trim().is_empty()) {
            continue;
        }
        let cell = |column: Column| {
            positions
                .get(&column)
                .and_then(|index| record.get(*index))
                .unwrap_or_default()
        };
        match parse_row(&cell, &companies_by_name, today) {
            Ok(entry) => {
                if let Some(first) = first_line_of.get(&entry.employee_number) {
                    errors.push(RosterLineError {
                        line,
                        message: format!(
                            "employee_number {} appears again (first on line {first})",
                            entry.employee_number
                        ),
                    });
                } else {
                    first_line_of.insert(entry.employee_number.clone(), line);
                    entries.push(entry);
                }
            }
            Err(problems) => errors.extend(
                problems
                    .into_iter()
                    .map(|message| RosterLineError { line, message }),
            ),
        }
    }
    if errors.is_empty() {
        Ok(entries)
    } else {
        Err(RosterRejected { errors })
    }
}

/// Checks one row; every problem of the row is reported.
fn parse_row<'a>(
    cell: &dyn Fn(Column) -> &'a str,
    companies_by_name: &HashMap<String, CompanyId>,
    today: NaiveDate,
) -> Result<RosterEntryValues, Vec<String>> {
    let mut problems = Vec::new();
    let mut check = |result: Result<String, AppError>, column: Column| match result {
        Ok(value) => value,
        Err(err) => {
            problems.push(describe(column, &err));
            String::new()
        }
    };
    let employee_number: String = cell(Column::EmployeeNumber).nfkc().collect();
    let employee_number = check(
        text_field(&employee_number, "", true, 20),
        Column::EmployeeNumber,
    );
    let full_name = check(
        text_field(cell(Column::FullName), "", true, 100),
        Column::FullName,
    );
    let full_name_kana = check(
        kana_field(cell(Column::FullNameKana), ""),
        Column::FullNameKana,
    );
    let last_department = check(
        text_field(cell(Column::LastDepartment), "", false, 100),
        Column::LastDepartment,
    );

    let former_surnames = match list_field(&split_list(cell(Column::FormerSurnames)), "", 5, 50) {
        Ok(names) => names,
        Err(err) => {
            problems.push(describe(Column::FormerSurnames, &err));
            Vec::new()
        }
    };
    let mut emails = Vec::new();
    for email in split_list(cell(Column::Emails)) {
        match validate_email(&email, "") {
            Ok(email) => emails.push(email),
            Err(_) => problems.push(format!("emails: {email:?} is not a valid e-mail address")),
        }
    }
    let company_name = cell(Column::Company).trim();
    let company_id = companies_by_name.get(&company_name.to_lowercase()).copied();
    if company_id.is_none() {
        problems.push(format!(
            "company: {company_name:?} is not a known company or predecessor"
        ));
    }
    let joined_on = parse_date(cell(Column::JoinedOn))
        .map_err(|message| problems.push(format!("joined_on: {message}")));
    let left_on = parse_date(cell(Column::LeftOn))
        .map_err(|message| problems.push(format!("left_on: {message}")));
    if let (Ok(joined), Ok(left)) = (joined_on, left_on) {
        if left < joined {
            problems.push("left_on: before joined_on".into());
        }
        if left > today {
            problems.push("left_on: in the future".into());
        }
    }
    match (company_id, joined_on, left_on) {
        (Some(company_id), Ok(joined_on), Ok(left_on)) if problems.is_empty() => {
            Ok(RosterEntryValues {
                name_key: search::normalize(&full_name),
                kana_key: search::normalize(&full_name_kana),
                employee_number,
                full_name,
                full_name_kana,
                former_surnames,
                emails,
                company_id,
                joined_on,
                left_on,
                last_department,
            })
        }
        _ => Err(problems),
    }
}

fn describe(column: Column, error: &AppError) -> String {
    match error {
        AppError::BadUserInput { message, .. } => format!("{}: {message}", column.name()),
        other => format!("{}: {other}", column.name()),
    }
}

fn split_list(cell: &str) -> Vec<String> {
    cell.split([';', '、', '；'])
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
        .collect()
}

fn parse_date(cell: &str) -> Result<NaiveDate, String> {
    let text: String = cell.trim().nfkc().collect();
    if text.is_empty() {
        return Err("missing".into());
    }
    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(&text, "%Y/%m/%d"))
        .map_err(|_| format!("{text:?} is not a date (YYYY-MM-DD)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn company(short_name: &str) -> CompanyRecord {
        CompanyRecord {
            id: CompanyId::new(),
            name: format!("{short_name}株式会社"),
            name_kana: String::new(),
            short_name: short_name.into(),
            is_current: false,
            merged_on: NaiveDate::from_ymd_opt(2010, 4, 1),
            description: String::new(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()
    }

    #[test]
    fn reads_japanese_headers_bom_and_lists() {
        let companies = [company("hokuto")];
        let csv = "\u{feff}社員番号,氏名,氏名カナ,旧姓,メールアドレス,会社,入社日,退職日,最終所属\n\
                   Ａ００１,佐藤 花子,サトウ ハナコ,山田;川口,Hanako@Example.jp; h.sato@example.jp,HOKUTO,2005/04/01,2019-03-31,開発一部\n";
        let rows = parse_roster(csv.as_bytes(), &companies, today()).unwrap();
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(row.employee_number, "A001");
        assert_eq!(row.former_surnames, ["山田", "川口"]);
        assert_eq!(row.emails, ["hanako@example.jp", "h.sato@example.jp"]);
        assert_eq!(row.kana_key, "さとうはなこ");
        assert_eq!(row.company_id, companies[0].id);
    }

    #[test]
    fn reports_every_bad_line_with_its_number() {
        let companies = [company("hokuto")];
        let csv = "employee_number,full_name,full_name_kana,company,joined_on,left_on\n\
                   1,佐藤 花子,さとう はなこ,hokuto,2005-04-01,2019-03-31\n\
                   2,鈴木 一郎,Suzuki,hokuto,2005-04-01,2019-03-31\n\
                   3,田中 次郎,たなか じろう,nowhere,2005-04-01,2030-03-31\n\
                   1,佐藤 花子,さとう はなこ,hokuto,2005-04-01,2019-03-31\n\
                   4,高橋 三郎,たかはし さぶろう,hokuto,2019-04-01,2005-03-31\n";
        let rejected = parse_roster(csv.as_bytes(), &companies, today()).unwrap_err();
        let lines: Vec<u64> = rejected.errors.iter().map(|error| error.line).collect();
        assert_eq!(lines, [3, 4, 4, 5, 6]);
        assert!(rejected.errors[0].message.starts_with("full_name_kana:"));
        assert!(rejected.errors[1].message.contains("nowhere"));
        assert!(rejected.errors[2].message.contains("future"));
        assert!(rejected.errors[3].message.contains("first on line 2"));
        assert!(rejected.errors[4].message.contains("before joined_on"));
    }

    #[test]
    fn refuses_missing_columns_and_other_encodings() {
        let rejected = parse_roster(b"full_name,company\n", &[], today()).unwrap_err();
        assert!(rejected.errors[0].message.contains("employee_number"));
        let shift_jis = b"\x8e\xd0\x88\xf5\x94\xd4\x8d\x86\n";
        let rejected = parse_roster(shift_jis, &[], today()).unwrap_err();
        assert!(rejected.errors[0].message.contains("UTF-8"));
    }
}
