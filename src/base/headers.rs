//! Reading the delay a server asks for: `retry-after-ms`, `retry-after` as seconds or as an HTTP
//! date.

/// Reads the delay a server asked for, as the official SDKs do (`_parse_retry_after_header` and
/// `_calculate_retry_timeout` in anthropic-sdk-python and openai-python): `retry-after-ms` in
/// milliseconds when it is a number, else `retry-after` as seconds or as an HTTP date (relative to
/// `now_unix_ms`). A delay that is not above zero — `0`, a negative number, `NaN`, a date in the
/// past — asks for nothing (`None`): the caller backs off as usual. Never panics or overflows,
/// whatever the header holds.
pub fn parse_retry_after(
    retry_after_ms: Option<&str>,
    retry_after: Option<&str>,
    now_unix_ms: f64,
) -> Option<f64> {
    let positive = |ms: f64| (ms.is_finite() && ms > 0.0).then_some(ms);
    // A number in `retry-after-ms` decides, even a useless one (the SDKs do not fall through).
    if let Some(ms) = retry_after_ms.and_then(|v| v.trim().parse::<f64>().ok()) {
        return positive(ms);
    }
    let value = retry_after?.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return positive(seconds * 1000.0);
    }
    positive(parse_http_date_ms(value)? - now_unix_ms)
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
    // Bounded fields keep the arithmetic below far from overflow.
    if !(1..=9999).contains(&year) {
        return None;
    }
    let mut hms = parts.next()?.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    if parts.next()? != "GMT"
        || !(1..=31).contains(&day)
        || !(0..=23).contains(&h)
        || !(0..=59).contains(&m)
        || !(0..=60).contains(&s)
    {
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
        // A date in the past asks for nothing: the normal backoff applies.
        assert_eq!(parse_retry_after(None, Some(date), at + 3000.0), None);
        assert_eq!(parse_retry_after(None, Some("soon"), 0.0), None);
        assert_eq!(parse_retry_after(None, None, 0.0), None);
    }

    #[test]
    fn zero_negative_and_not_a_number_ask_for_nothing() {
        for value in ["0", "-1", "NaN", "inf", "-0", "1e999"] {
            assert_eq!(
                parse_retry_after(Some(value), None, 0.0),
                None,
                "ms {value}"
            );
            assert_eq!(parse_retry_after(None, Some(value), 0.0), None, "s {value}");
        }
        // A number in `retry-after-ms` decides even when useless, as in the SDKs.
        assert_eq!(parse_retry_after(Some("0"), Some("5"), 0.0), None);
        // Not a number there: `retry-after` is read.
        assert_eq!(
            parse_retry_after(Some("soon"), Some("5"), 0.0),
            Some(5000.0)
        );
    }

    #[test]
    fn hostile_dates_are_refused() {
        for date in [
            "Sun, 06 Nov 99999999999999999 08:49:37 GMT",
            "Sun, 06 Nov -4000 08:49:37 GMT",
            "Sun, 06 Nov 1994 -1:49:37 GMT",
            "Sun, 06 Nov 1994 08:-9:37 GMT",
            "Sun, 99 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            ",,,,",
            "",
        ] {
            assert_eq!(parse_http_date_ms(date), None, "{date}");
        }
        let huge = "9".repeat(1 << 20);
        assert_eq!(parse_retry_after(Some(&huge), Some(&huge), 0.0), None);
        assert_eq!(parse_http_date_ms(&huge), None);
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_header_gives_nothing_or_a_positive_finite_delay(
            ms in proptest::option::of(".{0,40}"),
            after in proptest::option::of(".{0,40}"),
            now in proptest::num::f64::ANY,
        ) {
            if let Some(delay) = parse_retry_after(ms.as_deref(), after.as_deref(), now) {
                prop_assert!(delay.is_finite() && delay > 0.0);
            }
        }

        #[test]
        fn any_number_gives_nothing_or_itself(value in proptest::num::f64::ANY) {
            let text = value.to_string();
            let delay = parse_retry_after(Some(&text), None, 0.0);
            if value.is_finite() && value > 0.0 {
                prop_assert_eq!(delay, Some(value));
            } else {
                prop_assert_eq!(delay, None);
            }
        }

        #[test]
        fn any_date_shaped_text_parses_without_panic(
            day in any::<i64>(),
            year in any::<i64>(),
            h in any::<i64>(),
            m in any::<i64>(),
            s in any::<i64>(),
            now in proptest::num::f64::ANY,
        ) {
            let date = format!("Sun, {day} Nov {year} {h}:{m}:{s} GMT");
            if let Some(at) = parse_http_date_ms(&date) {
                prop_assert!(at.is_finite());
            }
            if let Some(delay) = parse_retry_after(None, Some(&date), now) {
                prop_assert!(delay.is_finite() && delay > 0.0);
            }
        }
    }
}
