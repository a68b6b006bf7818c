//! The table as aligned text (for the terminal) and as Markdown (for `latest.md`).

use super::table::Row;

const HEADERS: [&str; 5] = ["Area", "Measurement", "Value", "Goal", ""];

fn cells(row: &Row) -> [&str; 5] {
    [
        row.area,
        &row.what,
        &row.value,
        &row.goal,
        row.verdict.mark(),
    ]
}

/// The table as aligned plain text.
pub(super) fn render_text(rows: &[Row]) -> String {
    let width = |s: &str| s.chars().count();
    let mut widths = HEADERS.map(width);
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(cells(row)) {
            *w = (*w).max(width(cell));
        }
    }
    let line = |cells: [&str; 5]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - width(c))))
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    let mut out = vec![line(HEADERS)];
    out.push(
        widths
            .iter()
            .map(|w| "─".repeat(*w))
            .collect::<Vec<_>>()
            .join("  "),
    );
    let mut area = "";
    for row in rows {
        let mut c = cells(row);
        // The area once, at the top of its group.
        if row.area == area {
            c[0] = "";
        }
        area = row.area;
        out.push(line(c));
    }
    out.join("\n") + "\n"
}

/// The table as Markdown.
pub(super) fn render_markdown(rows: &[Row]) -> String {
    let mut out = String::from("| Area | Measurement | Value | Goal | |\n|---|---|---|---|:-:|\n");
    for row in rows {
        let c = cells(row).map(|c| c.replace('|', "\\|"));
        out.push_str(&format!("| {} |\n", c.join(" | ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::table::Verdict;

    #[test]
    fn text_columns_line_up_with_wide_characters() {
        let rows = vec![Row {
            area: "A",
            what: "µ÷×".into(),
            value: "1".into(),
            goal: "≤ 1".into(),
            verdict: Verdict::Met,
        }];
        let text = render_text(&rows);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0]
                .find("Value")
                .map(|i| lines[0][..i].chars().count()),
            lines[2].find('1').map(|i| lines[2][..i].chars().count())
        );
    }
}
