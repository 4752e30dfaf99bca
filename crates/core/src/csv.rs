//! The one way the server writes CSV files, which people open in a
//! spreadsheet.
//!
//! - UTF-8 with a byte-order mark first: without it, Excel in Japan assumes
//!   Shift_JIS and garbles every non-ASCII character.
//! - No cell can become a formula (CSV injection, OWASP): a spreadsheet
//!   evaluates a cell that starts with `=`, `+`, `-` or `@` (and some also
//!   one starting with a tab or carriage return), so a member calling
//!   themselves `=HYPERLINK(…)` would put a live link, or worse, into the
//!   secretariat's sheet. Such cells are written with a leading `'`, which
//!   spreadsheets read as "text" and hide. Numbers that start with a minus
//!   sign are prefixed too: telling them from `-1+2` is guesswork, and the
//!   server's files hold no negative numbers.

use std::borrow::Cow;

use crate::AppError;

/// The UTF-8 byte-order mark.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// First characters that make a spreadsheet read a cell as a formula.
const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `cell` as it is safe to write: unchanged, or with a leading `'` if a
/// spreadsheet would otherwise evaluate it.
pub fn neutralize(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_TRIGGERS) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A CSV file being written in memory: byte-order mark first, every cell
/// neutralised (see the module docs).
pub struct CsvWriter {
    inner: ::csv::Writer<Vec<u8>>,
}

impl CsvWriter {
    /// An empty file (just the byte-order mark).
    pub fn new() -> Self {
        Self {
            inner: ::csv::Writer::from_writer(UTF8_BOM.to_vec()),
        }
    }

    /// Appends one row. Every row must have as many cells as the first.
    pub fn write_row<I, S>(&mut self, cells: I) -> Result<(), AppError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.inner
            .write_record(
                cells
                    .into_iter()
                    .map(|cell| neutralize(cell.as_ref()).into_owned()),
            )
            .map_err(AppError::internal)
    }

    /// The file's bytes.
    pub fn finish(self) -> Result<Vec<u8>, AppError> {
        self.inner
            .into_inner()
            .map_err(|error| AppError::internal(error.into_error()))
    }
}

impl Default for CsvWriter {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(rows: &[&[&str]]) -> String {
        let mut writer = CsvWriter::new();
        for row in rows {
            writer.write_row(row.iter()).unwrap();
        }
        let bytes = writer.finish().unwrap();
        assert!(bytes.starts_with(UTF8_BOM), "byte-order mark first");
        String::from_utf8(bytes[UTF8_BOM.len()..].to_vec()).unwrap()
    }

    #[test]
    fn formula_triggers_are_neutralised_wherever_they_come_from() {
        for (cell, safe) in [
            (
                "=HYPERLINK(\"http://evil.example\",\"x\")",
                "'=HYPERLINK(\"http://evil.example\",\"x\")",
            ),
            ("+81 90", "'+81 90"),
            ("-1+2", "'-1+2"),
            ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "'\r=1+1"),
        ] {
            assert_eq!(neutralize(cell), safe, "{cell:?}");
        }
    }

    #[test]
    fn ordinary_cells_are_left_alone() {
        for cell in [
            "",
            "佐藤 花子",
            "2026-04-01 09:00:00 +09:00",
            "a=b",
            "1-2",
            "'quoted",
            " =leading space",
        ] {
            assert!(matches!(neutralize(cell), Cow::Borrowed(_)), "{cell:?}");
        }
    }

    #[test]
    fn rows_are_quoted_as_csv_after_neutralising() {
        assert_eq!(
            written(&[&["name", "note"], &["=1+1", "a, \"b\""], &["佐藤", "-3"]]),
            "name,note\n'=1+1,\"a, \"\"b\"\"\"\n佐藤,'-3\n"
        );
    }

    #[test]
    fn an_empty_file_is_just_the_byte_order_mark() {
        assert_eq!(CsvWriter::new().finish().unwrap(), UTF8_BOM);
    }

    #[test]
    fn rows_of_another_length_are_refused_rather_than_misaligned() {
        let mut writer = CsvWriter::new();
        writer.write_row(["a", "b"]).unwrap();
        assert_eq!(writer.write_row(["c"]).unwrap_err().code(), "INTERNAL");
    }
}
