//! How Redis reads and writes numbers, byte for byte: `string2ll`'s strict
//! integers (no sign but `-`, no leading zeros, no spaces), `strtod`'s
//! floats with Redis's extra refusals (NaN, overflow), and `%.17g`, the
//! format Redis 7.0 gives every score and float reply.

use super::error::RedisError;

/// Redis's `string2ll`: an optional `-`, then `0` alone or digits not
/// starting with `0`, within `i64`.
pub fn parse_i64(bytes: &[u8]) -> Option<i64> {
    let (negative, digits) = match bytes {
        [] => return None,
        [b'0'] => return Some(0),
        [b'-', rest @ ..] => (true, rest),
        _ => (false, bytes),
    };
    match digits.first() {
        Some(b'1'..=b'9') => {}
        _ => return None,
    }
    // Accumulate as a negative number so that i64::MIN fits.
    let mut value: i64 = 0;
    for &byte in digits {
        if !byte.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_sub(i64::from(byte - b'0'))?;
    }
    if negative {
        Some(value)
    } else {
        value.checked_neg()
    }
}

/// An integer argument, or Redis's error for one that is not.
pub fn int_arg(bytes: &[u8]) -> Result<i64, RedisError> {
    parse_i64(bytes).ok_or(RedisError::NotInteger)
}

/// A float as Redis's `strtod` callers accept it: no leading space, the
/// whole argument used, not NaN, and not a finite number too large or too
/// small to represent (strtod's ERANGE).
pub fn parse_f64(bytes: &[u8]) -> Option<f64> {
    let text = std::str::from_utf8(bytes).ok()?;
    let first = *text.as_bytes().first()?;
    if first.is_ascii_whitespace() {
        return None;
    }
    // Rust accepts "infinity"/"inf"/"nan" in any case, as strtod does; it
    // also accepts a few spellings strtod refuses, ruled out here.
    let unsigned = text.trim_start_matches(['+', '-']);
    if text.len() - unsigned.len() > 1 {
        return None;
    }
    let value: f64 = text.parse().ok()?;
    if value.is_nan() {
        return None;
    }
    let literal_infinity =
        unsigned.eq_ignore_ascii_case("inf") || unsigned.eq_ignore_ascii_case("infinity");
    if value.is_infinite() && !literal_infinity {
        return None;
    }
    if value == 0.0 && unsigned.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
        // Underflow: strtod says ERANGE and Redis refuses. (An exponent's
        // digits do not count: "0e5" is a plain zero.)
        let mantissa = unsigned.split(['e', 'E']).next().unwrap_or("");
        if mantissa.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
            return None;
        }
    }
    Some(value)
}

/// A float argument, or Redis's error for one that is not.
pub fn float_arg(bytes: &[u8]) -> Result<f64, RedisError> {
    parse_f64(bytes).ok_or(RedisError::NotFloat)
}

/// Appends `value` formatted as C's `%.17g` (what Redis 7.0 replies for
/// scores): 17 significant digits, trailing zeros dropped, the exponent
/// form below 1e-4 and from 1e17.
pub fn write_g17(value: f64, out: &mut Vec<u8>) {
    if value.is_nan() {
        out.extend_from_slice(b"nan");
        return;
    }
    if value.is_infinite() {
        out.extend_from_slice(if value > 0.0 { b"inf" } else { b"-inf" });
        return;
    }
    if value == 0.0 {
        out.extend_from_slice(if value.is_sign_negative() {
            b"-0"
        } else {
            b"0"
        });
        return;
    }
    // Rust's `{:e}` with a precision rounds exactly as glibc's printf does.
    let scientific = format!("{:.16e}", value);
    let (mantissa, exponent) = scientific
        .split_once('e')
        .expect("`{:e}` always writes an exponent");
    let exponent: i32 = exponent.parse().expect("an integer exponent");
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa),
    };
    let digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    if negative {
        out.push(b'-');
    }
    if (-4..17).contains(&exponent) {
        if exponent >= 0 {
            let whole = (exponent + 1) as usize;
            out.extend_from_slice(&digits[..whole]);
            let fraction = trim_zeros(&digits[whole..]);
            if !fraction.is_empty() {
                out.push(b'.');
                out.extend_from_slice(fraction);
            }
        } else {
            out.extend_from_slice(b"0.");
            out.extend(std::iter::repeat_n(b'0', (-exponent - 1) as usize));
            out.extend_from_slice(trim_zeros(&digits));
        }
    } else {
        out.push(digits[0]);
        let fraction = trim_zeros(&digits[1..]);
        if !fraction.is_empty() {
            out.push(b'.');
            out.extend_from_slice(fraction);
        }
        out.push(b'e');
        out.push(if exponent < 0 { b'-' } else { b'+' });
        let magnitude = exponent.unsigned_abs();
        if magnitude < 10 {
            out.push(b'0');
        }
        out.extend_from_slice(magnitude.to_string().as_bytes());
    }
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let end = digits.iter().rposition(|&d| d != b'0').map_or(0, |i| i + 1);
    &digits[..end]
}

/// `%.17g` as a new string.
pub fn g17(value: f64) -> Vec<u8> {
    let mut out = Vec::with_capacity(24);
    write_g17(value, &mut out);
    out
}

/// Appends the decimal digits of `value`.
pub fn write_int(value: i64, out: &mut Vec<u8>) {
    let mut buffer = itoa_buffer();
    out.extend_from_slice(format_int(value, &mut buffer));
}

fn itoa_buffer() -> [u8; 20] {
    [0; 20]
}

fn format_int(value: i64, buffer: &mut [u8; 20]) -> &[u8] {
    let mut magnitude = value.unsigned_abs();
    let mut at = buffer.len();
    loop {
        at -= 1;
        buffer[at] = b'0' + (magnitude % 10) as u8;
        magnitude /= 10;
        if magnitude == 0 {
            break;
        }
    }
    if value < 0 {
        at -= 1;
        buffer[at] = b'-';
    }
    &buffer[at..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_read_as_string2ll_reads_them() {
        for (text, want) in [
            ("0", Some(0)),
            ("-1", Some(-1)),
            ("12", Some(12)),
            ("9223372036854775807", Some(i64::MAX)),
            ("-9223372036854775808", Some(i64::MIN)),
            ("9223372036854775808", None),
            ("01", None),
            ("-0", None),
            ("+1", None),
            (" 1", None),
            ("1 ", None),
            ("", None),
            ("-", None),
            ("1.0", None),
        ] {
            assert_eq!(parse_i64(text.as_bytes()), want, "{text:?}");
        }
    }

    #[test]
    fn floats_refuse_what_redis_refuses() {
        for (text, want) in [
            ("1.5", Some(1.5)),
            ("-inf", Some(f64::NEG_INFINITY)),
            ("+inf", Some(f64::INFINITY)),
            ("Infinity", Some(f64::INFINITY)),
            ("1e3", Some(1000.0)),
            (".5", Some(0.5)),
            ("0e5", Some(0.0)),
            ("nan", None),
            (" 1", None),
            ("1 ", None),
            ("1e400", None),
            ("1e-400", None),
            ("--1", None),
            ("", None),
        ] {
            assert_eq!(parse_f64(text.as_bytes()), want, "{text:?}");
        }
    }

    #[test]
    fn g17_matches_printf() {
        for (value, want) in [
            (1.1, "1.1000000000000001"),
            (3.0, "3"),
            (-2.5, "-2.5"),
            (0.0, "0"),
            (-0.0, "-0"),
            (1e17, "1e+17"),
            (1e16, "10000000000000000"),
            (0.0001, "0.0001"),
            (0.00001, "1.0000000000000001e-05"),
            (1796355680.301725, "1796355680.3017249"),
            (f64::INFINITY, "inf"),
            (1e300, "1.0000000000000001e+300"),
            (123456789.0, "123456789"),
        ] {
            assert_eq!(String::from_utf8(g17(value)).unwrap(), want, "{value}");
        }
    }

    #[test]
    fn integers_are_written_in_decimal() {
        for value in [0, 7, -7, i64::MAX, i64::MIN, 1000] {
            let mut out = Vec::new();
            write_int(value, &mut out);
            assert_eq!(out, value.to_string().into_bytes());
        }
    }
}
