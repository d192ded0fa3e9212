//! The health-center directory (issue 23): contact details of each health center (name, address, phone, the
//! notification e-mail) and the municipalities each covers, maintained by the prefecture's staff (all of its centers,
//! and the municipalities) and by a health center's administrator (their own center's contact details). The checks
//! here run in the app as the person types and again at the edge; the CSV layout is `docs/DIRECTORY.md`.

use serde::{Deserialize, Serialize};

use crate::notification::phone::PhoneNumber;
use crate::notification::validate::{IssueSeverity, IssueView};

/// The caveat on the reference table every directory starts from, shown to administrators on the directory screen.
/// Provenance: `shared/data/README.md` ("Licence of the health-center tables"), from the reference data's README:
/// the health-center ids and names are derived from the SurveillanceForEI/EI1 crosswalk (`hokenjo_muni_crosswalk.csv`),
/// which carries no licence — redistribution UNVERIFIED; names UNVERIFIED (official names differ in several
/// prefectures); jurisdiction changes since the crosswalk (≥ 2024) not reflected.
pub const REFERENCE_CAVEAT: &str = "保健所の名称・ID・市区町村の管轄の初期値は、公開されている対応表（SurveillanceForEI/EI1 の保健所・市区町村対応表）から導いたものです。名称は正式名称と異なる場合があり、2024年以降の管轄の変更は反映されていません。この対応表には利用許諾（ライセンス）の表示がなく、再配布してよいかは確認されていません。この一覧を外部へ公開・配布しないでください。名称と管轄は、この画面で確認して正しく直してください。";

/// The CSV's header, in column order (UTF-8 with BOM, CRLF; one row per health center).
pub const CSV_COLUMNS: [&str; 7] = [
    "保健所ID",
    "保健所名",
    "郵便番号",
    "住所",
    "電話番号",
    "通知メールアドレス",
    "管轄市区町村コード",
];

/// Longest name, address and e-mail accepted (characters).
pub const NAME_MAX: usize = 60;
pub const ADDRESS_MAX: usize = 200;
pub const EMAIL_MAX: usize = 254;

/// A municipality and its name (from the reference table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryMunicipality {
    /// 6 digits with the check digit.
    pub code: String,
    pub name: String,
}

/// One health center of the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryCenter {
    pub id: String,
    pub name: String,
    /// 7 digits, or empty.
    pub postal_code: String,
    pub address: String,
    /// As entered (a valid Japanese number), or empty.
    pub phone: String,
    /// Where the notice e-mails go; empty: none are sent (a transfer there is warned about).
    pub email: String,
    /// By code.
    pub municipalities: Vec<DirectoryMunicipality>,
    pub updated_by_name: Option<String>,
    pub updated_at: Option<i64>,
}

/// `GET /api/directory`: the prefecture's health centers (prefecture staff) or the caller's own (a health center's
/// administrator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    pub pref_code: String,
    pub prefecture: String,
    /// Whether the caller manages the prefecture's directory (names, municipalities, CSV) or only own contact details.
    pub manages_prefecture: bool,
    pub centers: Vec<DirectoryCenter>,
    /// [`REFERENCE_CAVEAT`] for prefecture staff; empty for a health center's administrator.
    pub caveat: String,
}

/// `PUT /api/directory/{id}`: a health center's details. `name` and `municipalities` only from prefecture staff (a
/// health center's administrator sends neither). `municipalities` is the whole list the center covers afterwards.
/// Every contact field is required (an empty string clears it) and no other member is accepted: a body that is not
/// this form changes nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CenterEdit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub postal_code: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipalities: Option<Vec<String>>,
}

/// `POST /api/directory/csv` answers how many centers changed (a re-import of an export changes none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportResult {
    pub rows: u32,
    pub changed: u32,
}

/// A refusal of one field, as the directory's checks and the import's cross-row checks give it.
pub fn issue(field: String, code: &str, message: String) -> IssueView {
    IssueView {
        severity: IssueSeverity::Error,
        code: code.to_owned(),
        field,
        message,
    }
}

/// A postal code as 7 ASCII digits (hyphen and full-width digits accepted), `None` if it is not one.
pub fn normalize_postal(input: &str) -> Option<String> {
    let digits: String = input
        .trim()
        .chars()
        .filter(|c| !matches!(c, '-' | '‐' | '−' | 'ー' | '〒' | ' ' | '\u{3000}'))
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            _ => c,
        })
        .collect();
    (digits.len() == 7 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// Whether an e-mail address is plausible: one `@`, a local part, a domain with a dot, no spaces or controls.
pub fn email_ok(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && s.chars().count() <= EMAIL_MAX
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !domain.contains('@')
        && s.is_ascii()
        && !s.chars().any(|c| {
            c.is_ascii_whitespace()
                || c.is_ascii_control()
                || matches!(c, ',' | ';' | '<' | '>' | '"')
        })
}

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// The checks of an edit's fields, each finding at `<prefix><field>` with a Japanese message (`prefix` is empty for
/// the form, `rows[3].` for a CSV row, whose messages begin with the row and column).
pub fn check_contact(e: &CenterEdit, prefix: &str, row: Option<usize>) -> Vec<IssueView> {
    let at = |col: &str| match row {
        Some(n) => format!("{n}行目「{col}」: "),
        None => String::new(),
    };
    let mut out = Vec::new();
    if let Some(name) = &e.name {
        let n = name.trim();
        if n.is_empty() {
            out.push(issue(
                format!("{prefix}name"),
                "required",
                format!("{}保健所名を入力してください。", at("保健所名")),
            ));
        } else if n.chars().count() > NAME_MAX || has_control(n) {
            out.push(issue(
                format!("{prefix}name"),
                "too_long",
                format!(
                    "{}保健所名は改行を含まない{NAME_MAX}文字以内で入力してください。",
                    at("保健所名")
                ),
            ));
        }
    }
    if !e.postal_code.trim().is_empty() && normalize_postal(&e.postal_code).is_none() {
        out.push(issue(
            format!("{prefix}postal_code"),
            "postal_code",
            format!(
                "{}郵便番号は7桁の数字で入力してください（例: 160-0022）。",
                at("郵便番号")
            ),
        ));
    }
    let address = e.address.trim();
    if address.chars().count() > ADDRESS_MAX || has_control(address) {
        out.push(issue(
            format!("{prefix}address"),
            "too_long",
            format!(
                "{}住所は改行を含まない{ADDRESS_MAX}文字以内で入力してください。",
                at("住所")
            ),
        ));
    }
    if !e.phone.trim().is_empty() && PhoneNumber::parse(&e.phone).is_err() {
        out.push(issue(format!("{prefix}phone"), "phone", format!("{}電話番号の形式が正しくありません。市外局番から入力してください（例: 03-1234-5678）。", at("電話番号"))));
    }
    let email = e.email.trim();
    if !email.is_empty() && !email_ok(email) {
        out.push(issue(
            format!("{prefix}email"),
            "email",
            format!(
                "{}メールアドレスの形式が正しくありません（例: hokenjo@example.lg.jp）。",
                at("通知メールアドレス")
            ),
        ));
    }
    out
}

/// The edit as stored: trimmed, the postal code as 7 digits.
pub fn normalized(e: &CenterEdit) -> CenterEdit {
    CenterEdit {
        name: e.name.as_ref().map(|n| n.trim().to_owned()),
        postal_code: normalize_postal(&e.postal_code).unwrap_or_default(),
        address: e.address.trim().to_owned(),
        phone: e.phone.trim().to_owned(),
        email: e.email.trim().to_owned(),
        municipalities: e.municipalities.as_ref().map(|m| {
            m.iter()
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty())
                .collect()
        }),
    }
}

/// The `tel:` target of a stored phone number (its digits), `None` when there is none or it does not read.
pub fn tel_href(phone: &str) -> Option<String> {
    PhoneNumber::parse(phone)
        .ok()
        .map(|p| format!("tel:{}", p.digits()))
}

// ---- CSV ------------------------------------------------------------------------------------------------------

/// A cell as written: quoted when it holds a comma, quote or line break; a cell a spreadsheet would run as a
/// formula (`=`, `+`, `-`, `@` first) gets a leading `'`, which the import takes off again.
fn cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn uncell(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => s,
    }
}

/// The directory as CSV (UTF-8 with BOM, CRLF line ends).
pub fn to_csv(centers: &[DirectoryCenter]) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&CSV_COLUMNS.join(","));
    out.push_str("\r\n");
    for c in centers {
        let codes: Vec<&str> = c.municipalities.iter().map(|m| m.code.as_str()).collect();
        let cells = [
            c.id.as_str(),
            c.name.as_str(),
            c.postal_code.as_str(),
            c.address.as_str(),
            c.phone.as_str(),
            c.email.as_str(),
            &codes.join(" "),
        ];
        out.push_str(&cells.iter().map(|s| cell(s)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// One data row of an imported CSV: its line number (the header is line 1) and the edit it asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRow {
    pub line: usize,
    pub id: String,
    pub edit: CenterEdit,
}

/// Splits RFC 4180 text into records of cells; `Err(line)` for a quote left open.
fn records(text: &str) -> Result<Vec<(usize, Vec<String>)>, usize> {
    let mut out = Vec::new();
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut start = 1;
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    cur.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    cur.push(c);
                }
                _ => cur.push(c),
            }
            continue;
        }
        match c {
            '"' if cur.is_empty() => quoted = true,
            ',' => cells.push(std::mem::take(&mut cur)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                cells.push(std::mem::take(&mut cur));
                out.push((start, std::mem::take(&mut cells)));
                line += 1;
                start = line;
                any = false;
            }
            _ => cur.push(c),
        }
    }
    if quoted {
        return Err(start);
    }
    if any {
        cells.push(cur);
        out.push((start, cells));
    }
    // Blank lines (a trailing newline, an empty last line) are not rows.
    out.retain(|(_, r)| !(r.len() == 1 && r[0].trim().is_empty()));
    Ok(out)
}

/// Reads an imported CSV: the header must be [`CSV_COLUMNS`]; each row must have 7 cells and pass
/// [`check_contact`] with its name required. Every problem is reported (row, column, Japanese message); the file is
/// taken whole or not at all. Municipality codes are split here and checked by the edge against the prefecture.
pub fn parse_csv(text: &str) -> Result<Vec<CsvRow>, Vec<IssueView>> {
    let (rows, errors) = parse_csv_rows(text)?;
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// The rows of a directory CSV with every cell's problem beside them (so an import can report the file's
/// cross-row problems too); `Err` only when the file cannot be read as the directory at all (empty, another header,
/// an open quote).
pub fn parse_csv_rows(text: &str) -> Result<(Vec<CsvRow>, Vec<IssueView>), Vec<IssueView>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let records = records(text).map_err(|line| {
        vec![issue(
            format!("rows[{line}]"),
            "csv_quote",
            format!("{line}行目: 「\"」で始まるセルが閉じられていません。"),
        )]
    })?;
    let mut it = records.into_iter();
    let Some((_, header)) = it.next() else {
        return Err(vec![issue(
            "rows[1]".into(),
            "csv_empty",
            "ファイルが空です。エクスポートしたCSVの形式で作成してください。".into(),
        )]);
    };
    let header: Vec<&str> = header.iter().map(|h| h.trim()).collect();
    if header != CSV_COLUMNS {
        return Err(vec![issue(
            "rows[1]".into(),
            "csv_header",
            format!(
                "1行目（見出し）が違います。「{}」の7列にしてください。",
                CSV_COLUMNS.join(",")
            ),
        )]);
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (line, cells) in it {
        if cells.len() != CSV_COLUMNS.len() {
            errors.push(issue(
                format!("rows[{line}]"),
                "csv_columns",
                format!(
                    "{line}行目: 列の数が{}です。7列にしてください。",
                    cells.len()
                ),
            ));
            continue;
        }
        let get = |i: usize| uncell(cells[i].trim()).trim().to_owned();
        let id = get(0);
        if id.is_empty() {
            errors.push(issue(
                format!("rows[{line}].id"),
                "required",
                format!("{line}行目「保健所ID」: 保健所IDがありません。"),
            ));
        }
        let edit = CenterEdit {
            name: Some(get(1)),
            postal_code: get(2),
            address: get(3),
            phone: get(4),
            email: get(5),
            municipalities: Some(
                get(6)
                    .split([' ', '\u{3000}', ';', '、'])
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
        };
        errors.extend(check_contact(&edit, &format!("rows[{line}]."), Some(line)));
        rows.push(CsvRow {
            line,
            id,
            edit: normalized(&edit),
        });
    }
    Ok((rows, errors))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn center(id: &str, address: &str) -> DirectoryCenter {
        DirectoryCenter {
            id: id.into(),
            name: "新宿区保健所".into(),
            postal_code: "1600022".into(),
            address: address.into(),
            phone: "03-5273-3000".into(),
            email: "a@b.example".into(),
            municipalities: vec![DirectoryMunicipality {
                code: "131041".into(),
                name: "新宿区".into(),
            }],
            updated_by_name: None,
            updated_at: None,
        }
    }

    #[test]
    fn an_export_reads_back_as_it_was() {
        let centers = [
            center("HC13104", "東京都新宿区新宿5-18-21, \"本館\" 2階"),
            center("HC13112", "=1+1"),
        ];
        let rows = parse_csv(&to_csv(&centers)).expect("reads");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].edit.address, centers[0].address);
        assert_eq!(rows[1].edit.address, "=1+1");
        assert_eq!(rows[1].edit.municipalities, Some(vec!["131041".to_owned()]));
    }

    #[test]
    fn every_bad_cell_is_named() {
        let csv = format!(
            "{}\r\nHC1,,12,住所,03-12,bad@,\r\nHC2,名\r\n",
            CSV_COLUMNS.join(",")
        );
        let errors = parse_csv(&csv).expect_err("refused");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "rows[2].name",
                "rows[2].postal_code",
                "rows[2].phone",
                "rows[2].email",
                "rows[3]"
            ]
        );
        assert!(errors[2].message.starts_with("2行目「電話番号」"));
        assert!(parse_csv("a,b\r\n").is_err());
        assert!(parse_csv("").is_err());
        assert!(parse_csv(&format!("{}\r\n\"open", CSV_COLUMNS.join(","))).is_err());
    }

    #[test]
    fn fields_are_checked() {
        assert_eq!(
            normalize_postal("１６０-００２２").as_deref(),
            Some("1600022")
        );
        assert!(email_ok("notice@hc13104.her-sys.example"));
        for bad in ["a@b", "@b.jp", "a b@c.jp", "a@b..jp", "あ@b.jp"] {
            assert!(!email_ok(bad), "{bad}");
        }
        let e = CenterEdit {
            phone: "03-1234-5678".into(),
            ..Default::default()
        };
        assert!(check_contact(&e, "", None).is_empty());
        assert_eq!(tel_href("03-1234-5678").as_deref(), Some("tel:0312345678"));
        assert_eq!(tel_href(""), None);
    }
}
