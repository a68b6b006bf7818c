//! Reading the delay a server asks for: `retry-after-ms`, `retry-after` as seconds or as an HTTP
//! date.

/// Reads the delay a server asked for: `retry-after-ms` (milliseconds) first, else `retry-after`
/// as seconds or as an HTTP date (relative to `now_unix_ms`).
pub fn parse_retry_after(
    retry_after_ms: Option<&str>,
    retry_after: Option<&str>,
    now_unix_ms: f64,
) -> Option<f64> {
    if let Some(ms) = retry_after_ms.and_then(|v| v.trim().parse::<f64>().ok()) {
        if ms.is_finite() && ms >= 0.0 {
            return Some(ms);
        }
    }
    let value = retry_after?.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0).then_some(seconds * 1000.0);
    }
    parse_http_date_ms(value).map(|at| (at - now_unix_ms).max(0.0))
}

/// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) into Unix milliseconds.
pub fn parse_http_date_ms(value: &str) -> Option<f64> {
    let rest = value.split_once(',').map(|(_, r)| r).unwrap_or(value);
    let mut parts = rest.split_whitespace();
    let day: i64 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    if parts.next()? != "GMT" || !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(((days * 86_400 + h * 3600 + m * 60 + s) * 1000) as f64)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_retry_after_ms_then_seconds_then_dates() {
        assert_eq!(parse_retry_after(Some("250"), Some("9"), 0.0), Some(250.0));
        assert_eq!(parse_retry_after(None, Some("2"), 0.0), Some(2000.0));
        assert_eq!(parse_retry_after(Some("x"), Some("1.5"), 0.0), Some(1500.0));
        let date = "Sun, 06 Nov 1994 08:49:37 GMT";
        let at = parse_http_date_ms(date).expect("date");
        assert_eq!(at, 784_111_777_000.0);
        assert_eq!(
            parse_retry_after(None, Some(date), at - 3000.0),
            Some(3000.0)
        );
        assert_eq!(parse_retry_after(None, Some("soon"), 0.0), None);
        assert_eq!(parse_retry_after(None, None, 0.0), None);
    }
}
