//! Reading a CSV data value set as a stream: rows are built one at a time from the body, the
//! parse stops at the first row over the limit, and no cell is copied beyond its bound. A
//! hostile body therefore costs at most `max_rows` rows of bounded cells, whatever its shape
//! (millions of one-character lines, one line of millions of cells, one huge cell).

use chitieu_domain::value::MAX_TEXT_CHARS;
use chitieu_persistence::submission::MAX_COMMENT_CHARS;
use csv_core::ReadFieldResult;

use crate::{
    ApiError,
    service::submit::{FigureInput, SetInput, SubmittedValue},
};

/// The accepted header, in this order: the first five columns, or all six (`state`, a
/// figure state in place of the value, is optional so the v1 header keeps working).
pub const CSV_HEADER: [&str; 6] = [
    "data_element",
    "period",
    "org_unit",
    "value",
    "comment",
    "state",
];

/// Columns of the v1 header, without `state`.
const V1_COLUMNS: usize = 5;

/// Longest code, period or header cell kept, in bytes: well above any valid one (codes have
/// at most 50 characters, periods 15), so such a cell is still refused with its own
/// conflict code.
const SHORT_CELL_BYTES: usize = 256;

/// Bytes kept of a cell that may hold up to `chars` characters: UTF-8 takes at most 4 bytes a
/// character, and a decomposed (NFD) character may take several; 8 bytes a character leaves
/// room for both.
const fn cell_bytes(chars: usize) -> usize {
    chars * 8
}

/// Bound of each of the six cells, by position.
const CELL_BYTES: [usize; 6] = [
    SHORT_CELL_BYTES,
    SHORT_CELL_BYTES,
    SHORT_CELL_BYTES,
    cell_bytes(MAX_TEXT_CHARS),
    cell_bytes(MAX_COMMENT_CHARS),
    SHORT_CELL_BYTES,
];

/// Why a row is refused before the submission looks at its content.
const WRONG_CELL_COUNT: &str = "a CSV row with the wrong number of cells";
const CELL_TOO_LONG: &str = "a CSV row with a cell longer than any valid one";

/// One cell's buffer, reused from row to row: at most its bound, and whether more was cut off.
struct Cell {
    buf: Box<[u8]>,
    len: usize,
    cut: bool,
}

impl Cell {
    fn new(bound: usize) -> Self {
        Self {
            buf: vec![0; bound].into_boxed_slice(),
            len: 0,
            cut: false,
        }
    }

    /// The kept text (a cut cell ends at the last whole character kept).
    fn text(&self) -> &str {
        let bytes = &self.buf[..self.len];
        match std::str::from_utf8(bytes) {
            Ok(s) => s,
            // The body is UTF-8, so only a cut can split a character.
            Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default(),
        }
    }
}

/// Pulls fields off the body one at a time.
struct Fields<'a> {
    reader: csv_core::Reader,
    input: &'a [u8],
    /// Where the part of a cell beyond its bound (and any cell past the fifth) is dropped.
    discard: Box<[u8]>,
}

impl<'a> Fields<'a> {
    fn new(input: &'a [u8]) -> Self {
        Self {
            reader: csv_core::Reader::new(),
            input,
            discard: vec![0; 4096].into_boxed_slice(),
        }
    }

    /// Reads the next field into `cell`, or drops it when `cell` is `None`. Returns whether
    /// the field ended its record, or `None` when the body has no more records.
    fn next(&mut self, mut cell: Option<&mut Cell>) -> Option<bool> {
        if let Some(c) = cell.as_deref_mut() {
            c.len = 0;
            c.cut = false;
        }
        loop {
            let result = match cell.as_deref_mut() {
                Some(c) if c.len < c.buf.len() => {
                    let (result, nin, nout) =
                        self.reader.read_field(self.input, &mut c.buf[c.len..]);
                    self.input = &self.input[nin..];
                    c.len += nout;
                    result
                }
                full => {
                    let (result, nin, nout) = self.reader.read_field(self.input, &mut self.discard);
                    self.input = &self.input[nin..];
                    if let Some(c) = full {
                        c.cut |= nout > 0;
                    }
                    result
                }
            };
            match result {
                ReadFieldResult::Field { record_end } => return Some(record_end),
                ReadFieldResult::End => return None,
                // The whole body is given at once: once it is consumed, the next call (with
                // an empty input) tells the reader that the data ended.
                ReadFieldResult::InputEmpty | ReadFieldResult::OutputFull => {}
            }
        }
    }

    /// Reads the next record: its first six cells into `cells`, the rest dropped. Returns its
    /// number of cells, or `None` when the body has no more records.
    fn record(&mut self, cells: &mut [Cell; 6]) -> Option<usize> {
        let mut count = 0;
        loop {
            let end = self.next(cells.get_mut(count))?;
            count += 1;
            if end {
                return Some(count);
            }
        }
    }
}

/// Parses a CSV data value set of at most `max_rows` rows. A malformed header is a 400; more
/// rows than `max_rows` is a 413, answered as soon as row `max_rows + 1` is met. A row with
/// the wrong number of cells, or with a cell longer than any valid one, becomes a conflict at
/// its index, found by the submission like any other.
pub fn parse(body: &[u8], max_rows: usize) -> Result<SetInput, ApiError> {
    if std::str::from_utf8(body).is_err() {
        return Err(ApiError::bad_request(
            "invalid_csv",
            "the CSV body is not UTF-8",
        ));
    }
    // The reader skips a leading byte order mark itself.
    let mut fields = Fields::new(body);
    let mut cells = CELL_BYTES.map(Cell::new);
    let header = fields.record(&mut cells).filter(|&count| {
        (count == V1_COLUMNS || count == CSV_HEADER.len())
            && cells
                .iter()
                .zip(CSV_HEADER)
                .take(count)
                .all(|(cell, name)| !cell.cut && cell.text().trim().eq_ignore_ascii_case(name))
    });
    let Some(columns) = header else {
        return Err(ApiError::bad_request(
            "invalid_csv",
            format!(
                "the CSV header must be exactly {}, optionally followed by ,state",
                CSV_HEADER[..V1_COLUMNS].join(",")
            ),
        ));
    };
    let mut rows = Vec::new();
    while let Some(count) = fields.record(&mut cells) {
        if rows.len() == max_rows {
            return Err(ApiError::PayloadTooLarge(format!(
                "a set holds at most {max_rows} values; this CSV has more"
            )));
        }
        rows.push(row(&cells, count, columns));
    }
    Ok(SetInput {
        org_unit: None,
        period: None,
        values: rows,
    })
}

/// The figure of a record of `count` cells, the first six of them in `cells`, under a header
/// of `columns` columns. An empty `state` cell is no state.
fn row(cells: &[Cell; 6], count: usize, columns: usize) -> FigureInput {
    let cell = |i: usize| (i < count).then(|| cells[i].text().to_owned());
    let value = if count != columns {
        SubmittedValue::Refused(WRONG_CELL_COUNT)
    } else if cells[..columns].iter().any(|c| c.cut) {
        SubmittedValue::Refused(CELL_TOO_LONG)
    } else {
        SubmittedValue::Cell(cells[3].text().to_owned())
    };
    FigureInput {
        data_element: cell(0).unwrap_or_default(),
        period: cell(1),
        org_unit: cell(2),
        value,
        comment: cell(4),
        state: (count == columns)
            .then(|| cell(V1_COLUMNS))
            .flatten()
            .filter(|s| !s.is_empty()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chitieu_persistence::submission::{RawRow, RawValue};

    use super::*;

    const HEADER: &str = "data_element,period,org_unit,value,comment\n";

    /// The rows the submission reads (through the one row builder).
    fn rows(body: &str) -> Vec<RawRow> {
        parse(body.as_bytes(), 10).unwrap().into_rows()
    }

    fn code(body: &str, max_rows: usize) -> &'static str {
        parse(body.as_bytes(), max_rows).unwrap_err().code()
    }

    /// The rows the previous, whole-body reader (the `csv` crate) built.
    fn reference(body: &str) -> Vec<RawRow> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(body.strip_prefix('\u{feff}').unwrap_or(body).as_bytes());
        reader
            .records()
            .map(|r| {
                let r = r.unwrap();
                let cell = |i: usize| r.get(i).map(str::to_owned);
                RawRow {
                    data_element: cell(0).unwrap_or_default(),
                    period: cell(1),
                    org_unit: cell(2),
                    value: if r.len() != 5 {
                        RawValue::Unsupported(WRONG_CELL_COUNT)
                    } else {
                        match r.get(3) {
                            Some("") | None => RawValue::Delete,
                            Some(v) => RawValue::Csv(v.to_owned()),
                        }
                    },
                    comment: cell(4),
                    state: None,
                }
            })
            .collect()
    }

    #[test]
    fn rows_read_as_the_whole_body_reader_read_them() {
        for body in [
            format!("{HEADER}DOC,2023,VT-P1,12,\nDOC,2023Q1,VT-P8,,gone\n"),
            format!(
                "{HEADER}DOC,2023,VT-P1,\"1,5\",\"a \"\"quoted\"\" comment\"\r\nNOTE,2023,VT,Phường 8,"
            ),
            format!("\u{feff}{HEADER}\nDOC,2023,VT-P1,12,\n\n\nDOC\nA,B,C,D,E,F,G\n"),
            format!("{HEADER}\"multi\nline\",2023,VT,1,\"x\ny\"\n,,,,\n"),
            HEADER.to_owned(),
            " Data_Element , PERIOD,org_unit,value,comment\r\nDOC,2023,VT,1,\r\n".to_owned(),
        ] {
            assert_eq!(rows(&body), reference(&body), "{body:?}");
        }
    }

    #[test]
    fn the_header_must_name_the_five_columns_in_order() {
        for body in [
            "",
            "\n",
            "data_element,period,org_unit,value\n",
            "data_element,period,org_unit,comment,value\n",
            "data_element,period,org_unit,value,comment,extra\n",
        ] {
            assert_eq!(code(body, 10), "invalid_csv", "{body:?}");
        }
        let long = format!(
            "data_element{},period,org_unit,value,comment\n",
            "x".repeat(100_000)
        );
        assert_eq!(code(&long, 10), "invalid_csv");
        assert_eq!(code("data_element,\u{0}\u{ff}", 10), "invalid_csv");
        assert_eq!(parse(b"\xff\xfe", 10).unwrap_err().code(), "invalid_csv");
    }

    #[test]
    fn the_row_after_the_limit_stops_the_parse() {
        let body = format!("{HEADER}{}", "a\n".repeat(1_000));
        assert_eq!(code(&body, 999), "payload_too_large");
        assert_eq!(parse(body.as_bytes(), 1_000).unwrap().values.len(), 1_000);
    }

    #[test]
    fn a_cell_longer_than_any_valid_one_is_kept_short_and_refuses_its_row() {
        let comment = "ệ".repeat(MAX_COMMENT_CHARS * 3);
        let body = format!("{HEADER}DOC,2023,VT-P1,12,{comment}\n");
        let row = &rows(&body)[0];
        assert_eq!(row.value, RawValue::Unsupported(CELL_TOO_LONG));
        let kept = row.comment.as_deref().unwrap();
        assert!(kept.len() <= cell_bytes(MAX_COMMENT_CHARS) && comment.starts_with(kept));

        let code = "X".repeat(100_000);
        let row = &rows(&format!("{HEADER}{code},2023,VT-P1,12,\n"))[0];
        assert_eq!(row.data_element.len(), SHORT_CELL_BYTES);
        assert_eq!(row.value, RawValue::Unsupported(CELL_TOO_LONG));

        // A comment as long as allowed, in decomposed form, is kept whole.
        let nfd = "e\u{302}\u{323}".repeat(MAX_COMMENT_CHARS);
        let row = &rows(&format!("{HEADER}DOC,2023,VT-P1,12,{nfd}\n"))[0];
        assert_eq!(row.comment.as_deref(), Some(nfd.as_str()));
        assert_eq!(row.value, RawValue::Csv("12".into()));
    }

    #[test]
    fn a_sixth_state_column_is_optional_and_read_only_under_its_header() {
        let with_state = "data_element,period,org_unit,value,comment,state\n";
        let read = rows(&format!(
            "{with_state}ENT,2023,VT,,Mục 10.2,no_source\nPOP,2023,VT,5,,\nX,2023,VT,1,\nY,2023,VT,,,maybe\n"
        ));
        let states: Vec<_> = read
            .iter()
            .map(|r| (r.state.as_deref(), &r.value))
            .collect();
        assert_eq!(
            states,
            [
                (Some("no_source"), &RawValue::Delete),
                (None, &RawValue::Csv("5".into())),
                (None, &RawValue::Unsupported(WRONG_CELL_COUNT)),
                (Some("maybe"), &RawValue::Delete),
            ]
        );
        // Under the v1 header a sixth cell is a wrong row, never a state.
        let v1 = rows(&format!("{HEADER}ENT,2023,VT,,c,no_source\n"));
        assert_eq!(
            (v1[0].state.as_deref(), &v1[0].value),
            (None, &RawValue::Unsupported(WRONG_CELL_COUNT))
        );
        for bad in [
            "data_element,period,org_unit,value,comment,states\n",
            "data_element,period,org_unit,value,state,comment\n",
            "data_element,period,org_unit,value,comment,state,extra\n",
        ] {
            assert_eq!(code(bad, 10), "invalid_csv", "{bad:?}");
        }
    }

    #[test]
    fn cells_past_the_fifth_are_dropped_unread() {
        let body = format!("{HEADER}DOC,2023,VT,1,c,{}\n", ",x".repeat(100_000));
        let row = &rows(&body)[0];
        assert_eq!(row.value, RawValue::Unsupported(WRONG_CELL_COUNT));
        assert_eq!(row.comment.as_deref(), Some("c"));
    }
}
