//! Pure helpers for drawing the timeline: nice axis lengths, tick spacing, labels, and how many
//! rows a frame builds ([`RowBatch`]).

mod row_batch;
pub use row_batch::RowBatch;

/// The smallest "nice" axis length (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10ⁿ ms) at least `ms`
/// (and at least one second), so the axis rescales in a few visible steps, not every frame.
pub fn nice_axis_ms(ms: f64) -> f64 {
    let ms = if ms.is_finite() {
        ms.max(1000.0)
    } else {
        1000.0
    };
    let magnitude = 10f64.powi(ms.log10().floor() as i32);
    [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .into_iter()
        .map(|step| step * magnitude)
        .find(|v| *v >= ms)
        .unwrap_or(10.0 * magnitude)
}

/// Tick spacing for an axis of `axis_ms`: about six ticks at 1, 2, 2.5 or 5 × 10ⁿ ms.
pub fn tick_ms(axis_ms: f64) -> f64 {
    let raw = (axis_ms / 6.0).max(1.0);
    let magnitude = 10f64.powi(raw.log10().floor() as i32);
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|s| s * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(raw)
}

/// `0`, `500 ms`, `2 s`, `2.5 s`: tick labels.
pub fn axis_label(ms: f64) -> String {
    if ms == 0.0 {
        "0".into()
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else if (ms / 1000.0).fract() == 0.0 {
        format!("{:.0} s", ms / 1000.0)
    } else {
        format!("{:.1} s", ms / 1000.0)
    }
}

/// `text` cut to `chars` characters, with an ellipsis when cut.
pub fn truncate(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(chars.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// [`truncate`], but never ending in half a word or inside an open bracket: the visible label
/// stays a run of whole words of the row's accessible name (WCAG 2.5.3, "label in name").
pub fn truncate_at_word(label: &str, chars: usize) -> String {
    let short = truncate(label, chars);
    let Some(head) = short.strip_suffix('…') else {
        return short;
    };
    let mut whole = head;
    if whole.ends_with(char::is_alphanumeric)
        && label
            .get(head.len()..)
            .is_some_and(|rest| rest.starts_with(char::is_alphanumeric))
    {
        whole = whole.trim_end_matches(char::is_alphanumeric);
    }
    let mut open = Vec::new();
    for (i, c) in whole.char_indices() {
        match c {
            '(' => open.push(i),
            ')' => {
                open.pop();
            }
            _ => {}
        }
    }
    if let Some(&first_open) = open.first() {
        whole = &whole[..first_open];
    }
    let whole = whole.trim_end();
    if whole.is_empty() {
        short
    } else {
        format!("{whole}…")
    }
}

/// A step chart of a limit over time, as an SVG path in a `width` × `height` box: each
/// `(at_ms, limit)` holds until the next, the last until `end_ms`; the top of the box is
/// `top` (at least the highest limit). Empty without points.
pub fn step_path(
    points: &[(f64, usize)],
    end_ms: f64,
    top: usize,
    width: f64,
    height: f64,
) -> String {
    let Some(&(_, first)) = points.first() else {
        return String::new();
    };
    let last_at = points.last().map(|p| p.0).unwrap_or(0.0);
    let span = end_ms.max(last_at).max(1.0);
    let top = points
        .iter()
        .map(|p| p.1)
        .max()
        .unwrap_or(first)
        .max(top)
        .max(1) as f64;
    let x = |at: f64| (at.max(0.0) / span * width).min(width);
    let y = |limit: usize| height - limit as f64 / top * height;
    let mut path = format!("M{:.1},{:.1}", x(points[0].0), y(first));
    for pair in points.windows(2) {
        path.push_str(&format!(" H{:.1} V{:.1}", x(pair[1].0), y(pair[1].1)));
    }
    path.push_str(&format!(" H{width:.1}"));
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_axis_grows_in_nice_steps() {
        assert_eq!(nice_axis_ms(10.0), 1000.0);
        assert_eq!(nice_axis_ms(1001.0), 1200.0);
        assert_eq!(nice_axis_ms(10_300.0), 12_000.0);
        assert_eq!(nice_axis_ms(6100.0), 8000.0);
        assert_eq!(nice_axis_ms(9000.0), 10_000.0);
        assert_eq!(nice_axis_ms(14_000.0), 15_000.0);
        assert_eq!(nice_axis_ms(f64::NAN), 1000.0);
    }

    #[test]
    fn ticks_and_labels_read_well() {
        assert_eq!(tick_ms(6000.0), 1000.0);
        assert_eq!(tick_ms(15_000.0), 2500.0);
        assert_eq!(axis_label(2500.0), "2.5 s");
        assert_eq!(axis_label(500.0), "500 ms");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }

    #[test]
    fn a_limit_over_time_is_drawn_as_steps() {
        let path = step_path(&[(0.0, 4), (500.0, 2), (1000.0, 3)], 2000.0, 0, 200.0, 40.0);
        assert_eq!(path, "M0.0,0.0 H50.0 V20.0 H100.0 V10.0 H200.0");
        assert_eq!(step_path(&[], 1000.0, 0, 200.0, 40.0), "");
    }

    #[test]
    fn labels_are_cut_at_whole_words_and_never_inside_brackets() {
        assert_eq!(truncate_at_word("What is the best way", 12), "What is the…");
        assert_eq!(
            truncate_at_word("sum_numbers(2, 3) and more", 14),
            "sum_numbers…"
        );
        assert_eq!(truncate_at_word("short", 12), "short");
    }
}
