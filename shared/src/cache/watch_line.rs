//! memcached's log lines as one typed value, written and read in one place:
//! the lines of `watch` (`ts=17.5 gid=1 type=item_get key=a%20b
//! status=found clsid=1 cfd=7 size=3`) and of `lru_crawler metadump`
//! (`key=a exp=-1 la=1700000000 cas=2 fetch=no cls=1 size=70`), in the
//! formats of memcached's `logger.c` and `crawler.c`.
//!
//! A Fanout node writes its `watch` lines through [`WatchEntry::write`]
//! (`server/src/memcached/watch.rs`), and the cache lab's observer of a
//! real memcached reads that server's lines with [`WatchLine::parse`] and
//! [`MetadumpLine::parse`], so what a line means is decided once. Reading
//! is pure and total: any bytes give a line or a [`LineError`], never a
//! panic, and a line longer than [`MAX_LINE`] is refused before it is
//! looked at.

use std::{fmt, net::IpAddr};

use super::{CloseReason, DeleteCmd, GetStatus, KEY_MAX_LENGTH, StoreCmd, StoreStatus};

/// The longest line read. memcached formats a log line into a 4096-byte
/// scratch buffer and a metadump line into 4096 bytes, and drops longer
/// ones; twice that leaves room for a newer server's extra fields.
pub const MAX_LINE: usize = 8192;

/// The most `name=value` fields read from one line.
const MAX_FIELDS: usize = 24;

/// When a line was logged: unix seconds and microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub seconds: u64,
    pub micros: u32,
}

/// One line of a `watch` stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchLine {
    Entry(WatchEntry),
    /// `skipped=N`: the watcher fell behind and memcached dropped N lines.
    Skipped(u64),
}

/// A logged event: when, its global number, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchEntry {
    pub ts: Stamp,
    pub gid: u64,
    pub record: Record,
}

/// What a line records (its `type=`), with the fields memcached prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// `item_get`: a lookup of a key, by any command.
    ItemGet {
        key: Vec<u8>,
        status: GetStatus,
        clsid: u32,
        cfd: i32,
        /// The value's length in bytes.
        size: u64,
    },
    /// `item_store`: a store, refused ones too.
    ItemStore {
        key: Vec<u8>,
        status: StoreStatus,
        cmd: StoreCmd,
        /// Seconds left, 0 for none.
        ttl: u64,
        clsid: u32,
        cfd: i32,
        size: u64,
    },
    /// `eviction`: an item dropped to make room.
    Eviction {
        key: Vec<u8>,
        /// Whether anyone read it since it was stored.
        fetched: bool,
        /// Seconds left, -1 for none.
        ttl: i64,
        /// Seconds since it was last accessed.
        la: i64,
        clsid: u32,
        size: u64,
    },
    /// `deleted` (memcached 1.6.20 and later).
    Deleted {
        key: Vec<u8>,
        cmd: DeleteCmd,
        clsid: u32,
        size: u64,
    },
    ConnNew {
        rip: IpAddr,
        rport: u16,
        transport: Transport,
        cfd: i32,
    },
    ConnClose {
        rip: IpAddr,
        rport: u16,
        transport: Transport,
        reason: CloseReason,
        cfd: i32,
    },
}

/// How a client reached memcached (`transport=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Local,
    Tcp,
    Udp,
}

/// One line of `lru_crawler metadump`: one live item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadumpLine {
    pub key: Vec<u8>,
    /// Expiry as a unix time, `None` for never (memcached prints -1).
    pub exp: Option<u64>,
    /// Last access, unix time.
    pub la: u64,
    pub cas: u64,
    pub fetched: bool,
    pub cls: u32,
    /// The item's whole size in memory (header, key and value).
    pub size: u64,
}

/// Why a line was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    #[error("line longer than {MAX_LINE} bytes")]
    TooLong,
    #[error("more than {MAX_FIELDS} fields")]
    TooManyFields,
    #[error("a field without `=`")]
    NotAField,
    #[error("field `{0}` missing")]
    Missing(&'static str),
    #[error("field `{0}` has a value this reader does not know")]
    BadValue(&'static str),
    #[error("a key that is not 1 to {KEY_MAX_LENGTH} URI-encoded bytes")]
    BadKey,
    /// A `type=` this reader does not turn into a record (memcached's
    /// proxy, crawler and extstore lines): skipped, not an error of the
    /// server's.
    #[error("a line of type `{0}`")]
    OtherType(String),
}

impl WatchLine {
    /// Reads one line (without its `\n`; a trailing `\r` is allowed).
    pub fn parse(line: &[u8]) -> Result<WatchLine, LineError> {
        let fields = Fields::split(line)?;
        if let Some(count) = fields.get("skipped") {
            return Ok(WatchLine::Skipped(number(count, "skipped")?));
        }
        let ts = stamp(fields.need("ts")?)?;
        let gid = number(fields.need("gid")?, "gid")?;
        let record = match fields.need("type")? {
            b"item_get" => Record::ItemGet {
                key: fields.key()?,
                status: match fields.need("status")? {
                    b"not_found" => GetStatus::NotFound,
                    b"found" => GetStatus::Found,
                    b"flushed" => GetStatus::Flushed,
                    b"expired" => GetStatus::Expired,
                    _ => return Err(LineError::BadValue("status")),
                },
                clsid: fields.number("clsid")?,
                cfd: fields.number("cfd")?,
                size: fields.number("size")?,
            },
            b"item_store" => Record::ItemStore {
                key: fields.key()?,
                status: match fields.need("status")? {
                    b"not_stored" => StoreStatus::NotStored,
                    b"stored" => StoreStatus::Stored,
                    b"exists" => StoreStatus::Exists,
                    b"not_found" => StoreStatus::NotFound,
                    b"too_large" => StoreStatus::TooLarge,
                    b"no_memory" => StoreStatus::NoMemory,
                    _ => return Err(LineError::BadValue("status")),
                },
                cmd: match fields.need("cmd")? {
                    b"add" => StoreCmd::Add,
                    b"set" => StoreCmd::Set,
                    b"replace" => StoreCmd::Replace,
                    b"append" => StoreCmd::Append,
                    b"prepend" => StoreCmd::Prepend,
                    b"cas" => StoreCmd::Cas,
                    _ => return Err(LineError::BadValue("cmd")),
                },
                ttl: fields.number("ttl")?,
                clsid: fields.number("clsid")?,
                cfd: fields.number("cfd")?,
                size: fields.number("size")?,
            },
            b"eviction" => Record::Eviction {
                key: fields.key()?,
                fetched: yes_no(fields.need("fetch")?, "fetch")?,
                ttl: fields.number("ttl")?,
                la: fields.number("la")?,
                clsid: fields.number("clsid")?,
                size: fields.number("size")?,
            },
            b"deleted" => Record::Deleted {
                key: fields.key()?,
                cmd: match fields.need("cmd")? {
                    b"delete" => DeleteCmd::Delete,
                    b"md" => DeleteCmd::Md,
                    _ => return Err(LineError::BadValue("cmd")),
                },
                clsid: fields.number("clsid")?,
                size: fields.number("size")?,
            },
            kind @ (b"conn_new" | b"conn_close") => {
                let rip = fields.number("rip")?;
                let rport = fields.number("rport")?;
                let transport = match fields.need("transport")? {
                    b"local" => Transport::Local,
                    b"tcp" => Transport::Tcp,
                    b"udp" => Transport::Udp,
                    _ => return Err(LineError::BadValue("transport")),
                };
                let cfd = fields.number("cfd")?;
                if kind == b"conn_new" {
                    Record::ConnNew {
                        rip,
                        rport,
                        transport,
                        cfd,
                    }
                } else {
                    let reason = match fields.need("reason")? {
                        b"error" => CloseReason::Error,
                        b"normal" => CloseReason::Normal,
                        b"idle_timeout" => CloseReason::IdleTimeout,
                        b"shutdown" => CloseReason::Shutdown,
                        _ => return Err(LineError::BadValue("reason")),
                    };
                    Record::ConnClose {
                        rip,
                        rport,
                        transport,
                        reason,
                        cfd,
                    }
                }
            }
            other => return Err(LineError::OtherType(lossy(other))),
        };
        Ok(WatchLine::Entry(WatchEntry { ts, gid, record }))
    }
}

impl WatchEntry {
    /// Appends the line as memcached prints it, `\n` included.
    pub fn write(&self, out: &mut Vec<u8>) {
        use std::io::Write;
        let Stamp { seconds, micros } = self.ts;
        let _ = write!(out, "ts={seconds}.{micros} gid={} ", self.gid);
        let _ = match &self.record {
            Record::ItemGet {
                key,
                status,
                clsid,
                cfd,
                size,
            } => {
                out.extend_from_slice(b"type=item_get key=");
                uri_encode(out, key);
                let status = match status {
                    GetStatus::NotFound => "not_found",
                    GetStatus::Found => "found",
                    GetStatus::Flushed => "flushed",
                    GetStatus::Expired => "expired",
                };
                writeln!(out, " status={status} clsid={clsid} cfd={cfd} size={size}")
            }
            Record::ItemStore {
                key,
                status,
                cmd,
                ttl,
                clsid,
                cfd,
                size,
            } => {
                out.extend_from_slice(b"type=item_store key=");
                uri_encode(out, key);
                let status = match status {
                    StoreStatus::NotStored => "not_stored",
                    StoreStatus::Stored => "stored",
                    StoreStatus::Exists => "exists",
                    StoreStatus::NotFound => "not_found",
                    StoreStatus::TooLarge => "too_large",
                    StoreStatus::NoMemory => "no_memory",
                };
                let cmd = match cmd {
                    StoreCmd::Add => "add",
                    StoreCmd::Set => "set",
                    StoreCmd::Replace => "replace",
                    StoreCmd::Append => "append",
                    StoreCmd::Prepend => "prepend",
                    StoreCmd::Cas => "cas",
                };
                writeln!(
                    out,
                    " status={status} cmd={cmd} ttl={ttl} clsid={clsid} cfd={cfd} size={size}"
                )
            }
            Record::Eviction {
                key,
                fetched,
                ttl,
                la,
                clsid,
                size,
            } => {
                out.extend_from_slice(b"type=eviction key=");
                uri_encode(out, key);
                let fetch = if *fetched { "yes" } else { "no" };
                writeln!(
                    out,
                    " fetch={fetch} ttl={ttl} la={la} clsid={clsid} size={size}"
                )
            }
            Record::Deleted {
                key,
                cmd,
                clsid,
                size,
            } => {
                out.extend_from_slice(b"type=deleted key=");
                uri_encode(out, key);
                let cmd = match cmd {
                    DeleteCmd::Delete => "delete",
                    DeleteCmd::Md => "md",
                };
                writeln!(out, " cmd={cmd} clsid={clsid} size={size}")
            }
            Record::ConnNew {
                rip,
                rport,
                transport,
                cfd,
            } => writeln!(
                out,
                "type=conn_new rip={rip} rport={rport} transport={transport} cfd={cfd}"
            ),
            Record::ConnClose {
                rip,
                rport,
                transport,
                reason,
                cfd,
            } => {
                let reason = match reason {
                    CloseReason::Error => "error",
                    CloseReason::Normal => "normal",
                    CloseReason::IdleTimeout => "idle_timeout",
                    CloseReason::Shutdown => "shutdown",
                };
                writeln!(
                    out,
                    "type=conn_close rip={rip} rport={rport} transport={transport} reason={reason} cfd={cfd}"
                )
            }
        };
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Transport::Local => "local",
            Transport::Tcp => "tcp",
            Transport::Udp => "udp",
        })
    }
}

impl MetadumpLine {
    /// Reads one line of `lru_crawler metadump` (without its `\n`). The
    /// dump's last line, `END`, is not an item: the caller looks for it.
    pub fn parse(line: &[u8]) -> Result<MetadumpLine, LineError> {
        let fields = Fields::split(line)?;
        let exp: i64 = fields.number("exp")?;
        Ok(MetadumpLine {
            key: fields.key()?,
            exp: match exp {
                -1 => None,
                exp => Some(u64::try_from(exp).map_err(|_| LineError::BadValue("exp"))?),
            },
            la: fields.number("la")?,
            cas: fields.number("cas")?,
            fetched: yes_no(fields.need("fetch")?, "fetch")?,
            cls: fields.number("cls")?,
            size: fields.number("size")?,
        })
    }

    /// Appends the line as memcached prints it, `\n` included.
    pub fn write(&self, out: &mut Vec<u8>) {
        use std::io::Write;
        out.extend_from_slice(b"key=");
        uri_encode(out, &self.key);
        let exp = self.exp.map_or(-1, |exp| exp as i128);
        let fetch = if self.fetched { "yes" } else { "no" };
        let _ = writeln!(
            out,
            " exp={exp} la={} cas={} fetch={fetch} cls={} size={}",
            self.la, self.cas, self.cls, self.size
        );
    }
}

/// A line's `name=value` fields, in order.
struct Fields<'a> {
    pairs: [(&'a [u8], &'a [u8]); MAX_FIELDS],
    len: usize,
}

impl<'a> Fields<'a> {
    fn split(line: &'a [u8]) -> Result<Fields<'a>, LineError> {
        if line.len() > MAX_LINE {
            return Err(LineError::TooLong);
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut fields = Fields {
            pairs: [(&[][..], &[][..]); MAX_FIELDS],
            len: 0,
        };
        for token in line.split(|&byte| byte == b' ').filter(|t| !t.is_empty()) {
            let at = token
                .iter()
                .position(|&byte| byte == b'=')
                .ok_or(LineError::NotAField)?;
            let slot = fields
                .pairs
                .get_mut(fields.len)
                .ok_or(LineError::TooManyFields)?;
            *slot = (&token[..at], &token[at + 1..]);
            fields.len += 1;
        }
        Ok(fields)
    }

    /// The first field of this name: memcached's proxy lines repeat
    /// `type=`, and the first is the line's.
    fn get(&self, name: &str) -> Option<&'a [u8]> {
        self.pairs[..self.len]
            .iter()
            .find(|(field, _)| *field == name.as_bytes())
            .map(|(_, value)| *value)
    }

    fn need(&self, name: &'static str) -> Result<&'a [u8], LineError> {
        self.get(name).ok_or(LineError::Missing(name))
    }

    fn number<T: std::str::FromStr>(&self, name: &'static str) -> Result<T, LineError> {
        number(self.need(name)?, name)
    }

    fn key(&self) -> Result<Vec<u8>, LineError> {
        uri_decode(self.need("key")?)
    }
}

fn number<T: std::str::FromStr>(value: &[u8], name: &'static str) -> Result<T, LineError> {
    std::str::from_utf8(value)
        .ok()
        .and_then(|text| text.parse().ok())
        .ok_or(LineError::BadValue(name))
}

fn stamp(value: &[u8]) -> Result<Stamp, LineError> {
    let at = value
        .iter()
        .position(|&byte| byte == b'.')
        .ok_or(LineError::BadValue("ts"))?;
    let seconds = number(&value[..at], "ts")?;
    let micros: u32 = number(&value[at + 1..], "ts")?;
    if micros >= 1_000_000 {
        return Err(LineError::BadValue("ts"));
    }
    Ok(Stamp { seconds, micros })
}

fn yes_no(value: &[u8], name: &'static str) -> Result<bool, LineError> {
    match value {
        b"yes" => Ok(true),
        b"no" => Ok(false),
        _ => Err(LineError::BadValue(name)),
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(&bytes[..bytes.len().min(32)]).into_owned()
}

/// memcached's `uriencode`: letters, digits and `- . _ ~` stay, every
/// other byte becomes `%XX`.
pub fn uri_encode(out: &mut Vec<u8>, key: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &byte in key {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte);
        } else {
            out.extend_from_slice(&[
                b'%',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 15)],
            ]);
        }
    }
}

/// The inverse of [`uri_encode`], refusing what memcached would not write:
/// a bad escape, or a key of 0 or more than [`KEY_MAX_LENGTH`] bytes.
pub fn uri_decode(encoded: &[u8]) -> Result<Vec<u8>, LineError> {
    let mut key = Vec::with_capacity(encoded.len().min(KEY_MAX_LENGTH));
    let mut rest = encoded;
    while let Some((&byte, tail)) = rest.split_first() {
        if byte == b'%' {
            let (Some(high), Some(low)) = (
                tail.first().and_then(|&h| (h as char).to_digit(16)),
                tail.get(1).and_then(|&l| (l as char).to_digit(16)),
            ) else {
                return Err(LineError::BadKey);
            };
            key.push((high * 16 + low) as u8);
            rest = &tail[2..];
        } else {
            key.push(byte);
            rest = tail;
        }
        if key.len() > KEY_MAX_LENGTH {
            return Err(LineError::BadKey);
        }
    }
    if key.is_empty() {
        return Err(LineError::BadKey);
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_memcached_1_6_18_lines() {
        let line =
            b"ts=1733331234.57 gid=12 type=item_get key=a%20b status=found clsid=1 cfd=23 size=5";
        assert_eq!(
            WatchLine::parse(line),
            Ok(WatchLine::Entry(WatchEntry {
                ts: Stamp {
                    seconds: 1_733_331_234,
                    micros: 57
                },
                gid: 12,
                record: Record::ItemGet {
                    key: b"a b".to_vec(),
                    status: GetStatus::Found,
                    clsid: 1,
                    cfd: 23,
                    size: 5
                }
            }))
        );
        assert_eq!(WatchLine::parse(b"skipped=40"), Ok(WatchLine::Skipped(40)));
        let proxy = b"ts=1.2 gid=3 type=proxy_conf status=start";
        assert_eq!(
            WatchLine::parse(proxy),
            Err(LineError::OtherType("proxy_conf".into()))
        );
        let dump = b"key=k%2C1 exp=-1 la=1733331234 cas=7 fetch=no cls=1 size=66";
        assert_eq!(
            MetadumpLine::parse(dump),
            Ok(MetadumpLine {
                key: b"k,1".to_vec(),
                exp: None,
                la: 1_733_331_234,
                cas: 7,
                fetched: false,
                cls: 1,
                size: 66
            })
        );
    }

    #[test]
    fn refuses_precisely() {
        assert_eq!(
            WatchLine::parse(&[b'x'; MAX_LINE + 1]),
            Err(LineError::TooLong)
        );
        assert_eq!(WatchLine::parse(b"hello"), Err(LineError::NotAField));
        assert_eq!(
            WatchLine::parse(
                b"ts=1.2 gid=3 type=item_get key=%zz status=found clsid=1 cfd=1 size=1"
            ),
            Err(LineError::BadKey)
        );
        assert_eq!(
            WatchLine::parse(b"ts=1.2 gid=3 type=item_get key=a clsid=1 cfd=1 size=1"),
            Err(LineError::Missing("status"))
        );
        let many = b"a=1 ".repeat(MAX_FIELDS + 1);
        assert_eq!(WatchLine::parse(&many), Err(LineError::TooManyFields));
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod props {
    //! Round trips of every record through its writer and reader, and
    //! arbitrary bytes through the readers: never a panic.

    use proptest::prelude::*;

    use super::*;

    fn key() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(any::<u8>(), 1..=KEY_MAX_LENGTH)
    }

    fn record() -> impl Strategy<Value = Record> {
        let get_status = prop_oneof![
            Just(GetStatus::NotFound),
            Just(GetStatus::Found),
            Just(GetStatus::Flushed),
            Just(GetStatus::Expired)
        ];
        let store_status = prop_oneof![
            Just(StoreStatus::NotStored),
            Just(StoreStatus::Stored),
            Just(StoreStatus::Exists),
            Just(StoreStatus::NotFound),
            Just(StoreStatus::TooLarge),
            Just(StoreStatus::NoMemory)
        ];
        let store_cmd = prop_oneof![
            Just(StoreCmd::Add),
            Just(StoreCmd::Set),
            Just(StoreCmd::Replace),
            Just(StoreCmd::Append),
            Just(StoreCmd::Prepend),
            Just(StoreCmd::Cas)
        ];
        let transport = prop_oneof![
            Just(Transport::Local),
            Just(Transport::Tcp),
            Just(Transport::Udp)
        ];
        let reason = prop_oneof![
            Just(CloseReason::Error),
            Just(CloseReason::Normal),
            Just(CloseReason::IdleTimeout),
            Just(CloseReason::Shutdown)
        ];
        let delete_cmd = prop_oneof![Just(DeleteCmd::Delete), Just(DeleteCmd::Md)];
        prop_oneof![
            (key(), get_status, any::<u32>(), any::<i32>(), any::<u64>()).prop_map(
                |(key, status, clsid, cfd, size)| Record::ItemGet {
                    key,
                    status,
                    clsid,
                    cfd,
                    size
                }
            ),
            (
                key(),
                store_status,
                store_cmd,
                any::<u64>(),
                any::<u32>(),
                any::<i32>(),
                any::<u64>()
            )
                .prop_map(|(key, status, cmd, ttl, clsid, cfd, size)| {
                    Record::ItemStore {
                        key,
                        status,
                        cmd,
                        ttl,
                        clsid,
                        cfd,
                        size,
                    }
                }),
            (
                key(),
                any::<bool>(),
                any::<i64>(),
                any::<i64>(),
                any::<u32>(),
                any::<u64>()
            )
                .prop_map(|(key, fetched, ttl, la, clsid, size)| Record::Eviction {
                    key,
                    fetched,
                    ttl,
                    la,
                    clsid,
                    size
                }),
            (key(), delete_cmd, any::<u32>(), any::<u64>()).prop_map(|(key, cmd, clsid, size)| {
                Record::Deleted {
                    key,
                    cmd,
                    clsid,
                    size,
                }
            }),
            (
                any::<IpAddr>(),
                any::<u16>(),
                transport.clone(),
                any::<i32>()
            )
                .prop_map(|(rip, rport, transport, cfd)| Record::ConnNew {
                    rip,
                    rport,
                    transport,
                    cfd
                }),
            (
                any::<IpAddr>(),
                any::<u16>(),
                transport,
                reason,
                any::<i32>()
            )
                .prop_map(|(rip, rport, transport, reason, cfd)| {
                    Record::ConnClose {
                        rip,
                        rport,
                        transport,
                        reason,
                        cfd,
                    }
                }),
        ]
    }

    proptest! {
        #[test]
        fn watch_lines_round_trip(
            seconds in any::<u64>(),
            micros in 0u32..1_000_000,
            gid in any::<u64>(),
            record in record(),
        ) {
            let entry = WatchEntry { ts: Stamp { seconds, micros }, gid, record };
            let mut out = Vec::new();
            entry.write(&mut out);
            prop_assert_eq!(out.pop(), Some(b'\n'));
            prop_assert!(!out.contains(&b'\n'));
            prop_assert_eq!(WatchLine::parse(&out), Ok(WatchLine::Entry(entry)));
        }

        #[test]
        fn metadump_lines_round_trip(
            key in key(),
            exp in proptest::option::of(0u64..=i64::MAX as u64),
            la in any::<u64>(),
            cas in any::<u64>(),
            fetched in any::<bool>(),
            cls in any::<u32>(),
            size in any::<u64>(),
        ) {
            let line = MetadumpLine { key, exp, la, cas, fetched, cls, size };
            let mut out = Vec::new();
            line.write(&mut out);
            prop_assert_eq!(out.pop(), Some(b'\n'));
            prop_assert_eq!(MetadumpLine::parse(&out), Ok(line));
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = WatchLine::parse(&bytes);
            let _ = MetadumpLine::parse(&bytes);
        }

        #[test]
        fn near_miss_lines_never_panic(
            prefix in "(ts=[0-9]{1,3}\\.[0-9]{1,7} gid=[0-9]{1,3} )?",
            kind in "type=(item_get|item_store|eviction|deleted|conn_new|conn_close) ",
            rest in "((key|status|cmd|ttl|la|fetch|clsid|cfd|size|rip|rport|transport|reason)=[-a-z0-9%.:_]{0,6} ){0,8}",
        ) {
            let line = format!("{prefix}{kind}{rest}");
            let _ = WatchLine::parse(line.as_bytes());
            let _ = MetadumpLine::parse(line.as_bytes());
        }
    }
}
