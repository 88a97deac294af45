//! Writing replies into a connection's output buffer without allocating.

use std::io::Write;

/// One line followed by "\r\n".
pub fn line(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// A decimal number.
pub fn number(out: &mut Vec<u8>, value: u64) {
    let _ = write!(out, "{value}");
}

/// A signed decimal number.
pub fn signed(out: &mut Vec<u8>, value: i64) {
    let _ = write!(out, "{value}");
}
