//! String commands: GET, SET with its options, the SETEX family, MGET and
//! MSET, INCR and friends, APPEND, GETRANGE, SETRANGE. Celery's result
//! backend stores each task's result with SETEX and reads it with GET and
//! MGET; redis-py's Lock takes its lock with `SET … NX PX`.

use super::{
    engine::{Call, Flow, Redis},
    error::RedisError,
    event::EventKind,
    keyspace::{Entry, Value, as_str},
    number::{int_arg, parse_i64, write_int},
};

type Res = Result<Flow, RedisError>;

/// The string at `key`: `None` if absent, WRONGTYPE if not a string.
fn read(r: &mut Redis, c: &Call, key: &[u8]) -> Result<Option<Vec<u8>>, RedisError> {
    let found = match r.dbs[c.db].get(key, c.now) {
        None => None,
        Some(entry) => Some(as_str(entry)?.clone()),
    };
    if found.is_some() {
        r.stats.keyspace_hits += 1;
    } else {
        r.stats.keyspace_misses += 1;
    }
    Ok(found)
}

fn reply_value(c: &mut Call, value: Option<&[u8]>) {
    match value {
        Some(bytes) => c.out.bulk(bytes),
        None => c.out.null(),
    }
}

/// Stores a string, replacing any value; keeps the old expiry only if
/// `keep_ttl`.
fn store(
    r: &mut Redis,
    c: &Call,
    key: &[u8],
    value: Vec<u8>,
    expires_at: Option<u64>,
    keep_ttl: bool,
) {
    let kept = if keep_ttl {
        r.dbs[c.db]
            .get(key, c.now)
            .and_then(|entry| entry.expires_at)
    } else {
        None
    };
    if r.is_recording() {
        r.event(EventKind::Set, c.conn, c.db, key, b"", &value, 0);
    }
    let mut entry = Entry::new(Value::Str(value), c.now);
    entry.expires_at = expires_at.or(kept);
    r.dbs[c.db].insert(key.to_vec(), entry);
    r.touch_key(c.db, key);
}

pub(super) fn get(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let value = read(r, c, args[1])?;
    reply_value(c, value.as_deref());
    Ok(Flow::Continue)
}

/// Which command is parsing SET-style options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Options {
    Set,
    GetEx,
}

/// The expiry option given, in Redis's flag names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expiry {
    Ex,
    Px,
    ExAt,
    PxAt,
}

#[derive(Debug, Default)]
struct Parsed<'a> {
    nx: bool,
    xx: bool,
    get: bool,
    keep_ttl: bool,
    persist: bool,
    expiry: Option<(Expiry, &'a [u8])>,
}

/// Redis's `parseExtendedStringArgumentsOrReply`, rule for rule: each
/// option is refused (syntax error) next to the ones it excludes.
fn parse_options<'a>(args: &[&'a [u8]], kind: Options) -> Result<Parsed<'a>, RedisError> {
    let mut parsed = Parsed::default();
    let mut i = 0;
    while i < args.len() {
        let option = args[i].to_ascii_lowercase();
        let next = args.get(i + 1).copied();
        let has_expiry = parsed.expiry.is_some();
        let expiry_is = |which: Expiry| parsed.expiry.is_some_and(|(e, _)| e == which);
        match option.as_slice() {
            b"nx" if !parsed.xx && kind == Options::Set => parsed.nx = true,
            b"xx" if !parsed.nx && kind == Options::Set => parsed.xx = true,
            b"get" if kind == Options::Set => parsed.get = true,
            b"keepttl" if !parsed.persist && !has_expiry && kind == Options::Set => {
                parsed.keep_ttl = true;
            }
            b"persist" if kind == Options::GetEx && !has_expiry && !parsed.keep_ttl => {
                parsed.persist = true;
            }
            b"ex" | b"px" | b"exat" | b"pxat"
                if next.is_some() && !parsed.keep_ttl && !parsed.persist =>
            {
                let which = match option.as_slice() {
                    b"ex" => Expiry::Ex,
                    b"px" => Expiry::Px,
                    b"exat" => Expiry::ExAt,
                    _ => Expiry::PxAt,
                };
                // Each refuses the other three but, as in Redis, not itself.
                let others = [Expiry::Ex, Expiry::Px, Expiry::ExAt, Expiry::PxAt]
                    .into_iter()
                    .filter(|&other| other != which)
                    .any(expiry_is);
                if others {
                    return Err(RedisError::Syntax);
                }
                parsed.expiry = Some((which, next.expect("checked")));
                i += 1;
            }
            _ => return Err(RedisError::Syntax),
        }
        i += 1;
    }
    Ok(parsed)
}

/// Redis's `getExpireMillisecondsOrReply`: an absolute unix ms time.
fn expire_at(
    expiry: Option<(Expiry, &[u8])>,
    now: u64,
    name: &'static str,
) -> Result<Option<u64>, RedisError> {
    let Some((which, amount)) = expiry else {
        return Ok(None);
    };
    let mut millis = int_arg(amount)?;
    let seconds = matches!(which, Expiry::Ex | Expiry::ExAt);
    if millis <= 0 || (seconds && millis > i64::MAX / 1000) {
        return Err(RedisError::InvalidExpire(name));
    }
    if seconds {
        millis *= 1000;
    }
    if matches!(which, Expiry::Ex | Expiry::Px) {
        millis = millis
            .checked_add(now as i64)
            .ok_or(RedisError::InvalidExpire(name))?;
    }
    Ok(Some(millis as u64))
}

pub(super) fn set(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let options = parse_options(&args[3..], Options::Set)?;
    let expires_at = expire_at(options.expiry, c.now, "set")?;
    set_generic(r, c, args[1], args[2], &options, expires_at, SetReply::Ok)
}

/// What SET-like commands answer when they store or do not.
#[derive(Debug, Clone, Copy)]
enum SetReply {
    Ok,
    OneZero,
}

fn set_generic(
    r: &mut Redis,
    c: &mut Call,
    key: &[u8],
    value: &[u8],
    options: &Parsed,
    expires_at: Option<u64>,
    reply: SetReply,
) -> Res {
    if options.get {
        let old = read(r, c, key)?;
        reply_value(c, old.as_deref());
    }
    let found = r.dbs[c.db].contains(key, c.now);
    if (options.nx && found) || (options.xx && !found) {
        if !options.get {
            match reply {
                SetReply::Ok => c.out.null(),
                SetReply::OneZero => c.out.int(0),
            }
        }
        return Ok(Flow::Continue);
    }
    store(r, c, key, value.to_vec(), expires_at, options.keep_ttl);
    if !options.get {
        match reply {
            SetReply::Ok => c.out.ok(),
            SetReply::OneZero => c.out.int(1),
        }
    }
    Ok(Flow::Continue)
}

pub(super) fn setnx(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let options = Parsed {
        nx: true,
        ..Parsed::default()
    };
    set_generic(r, c, args[1], args[2], &options, None, SetReply::OneZero)
}

pub(super) fn setex(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let expires_at = expire_at(Some((Expiry::Ex, args[2])), c.now, "setex")?;
    set_generic(
        r,
        c,
        args[1],
        args[3],
        &Parsed::default(),
        expires_at,
        SetReply::Ok,
    )
}

pub(super) fn psetex(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let expires_at = expire_at(Some((Expiry::Px, args[2])), c.now, "psetex")?;
    set_generic(
        r,
        c,
        args[1],
        args[3],
        &Parsed::default(),
        expires_at,
        SetReply::Ok,
    )
}

pub(super) fn getset(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let old = read(r, c, args[1])?;
    reply_value(c, old.as_deref());
    store(r, c, args[1], args[2].to_vec(), None, false);
    Ok(Flow::Continue)
}

pub(super) fn getdel(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let old = read(r, c, args[1])?;
    reply_value(c, old.as_deref());
    if old.is_some() {
        r.dbs[c.db].remove(args[1]);
        r.touch_key(c.db, args[1]);
        r.event(EventKind::Delete, c.conn, c.db, args[1], b"", b"", 0);
    }
    Ok(Flow::Continue)
}

pub(super) fn getex(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let options = parse_options(&args[2..], Options::GetEx)?;
    let key = args[1];
    // Redis 7.0 looks the key up before it reads the expiry time.
    let Some(value) = read(r, c, key)? else {
        c.out.null();
        return Ok(Flow::Continue);
    };
    let expires_at = expire_at(options.expiry, c.now, "getex")?;
    c.out.bulk(&value);
    let absolute = matches!(options.expiry, Some((Expiry::ExAt | Expiry::PxAt, _)));
    if let Some(at) = expires_at {
        if absolute && at <= c.now {
            r.dbs[c.db].remove(key);
            r.event(EventKind::Delete, c.conn, c.db, key, b"", b"", 0);
        } else if let Some(mut entry) = r.dbs[c.db].get_mut(key, c.now) {
            entry.expires_at = Some(at);
        }
        r.touch_key(c.db, key);
    } else if options.persist {
        let had = r.dbs[c.db]
            .get_mut(key, c.now)
            .map(|mut entry| entry.expires_at.take().is_some());
        if had == Some(true) {
            r.touch_key(c.db, key);
        }
    }
    Ok(Flow::Continue)
}

pub(super) fn mget(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    c.out.array(args.len() - 1);
    for key in &args[1..] {
        let value = r.dbs[c.db]
            .get(key, c.now)
            .and_then(|entry| match &entry.value {
                Value::Str(bytes) => Some(bytes.clone()),
                _ => None,
            });
        if value.is_some() {
            r.stats.keyspace_hits += 1;
        } else {
            r.stats.keyspace_misses += 1;
        }
        reply_value(c, value.as_deref());
    }
    Ok(Flow::Continue)
}

fn mset_generic(r: &mut Redis, c: &mut Call, args: &[&[u8]], nx: bool) -> Result<bool, RedisError> {
    if args.len().is_multiple_of(2) {
        return Err(RedisError::WrongArity(
            if nx { "msetnx" } else { "mset" }.to_owned(),
        ));
    }
    if nx
        && args[1..]
            .chunks(2)
            .any(|pair| r.dbs[c.db].contains(pair[0], c.now))
    {
        return Ok(false);
    }
    for pair in args[1..].chunks(2) {
        store(r, c, pair[0], pair[1].to_vec(), None, false);
    }
    Ok(true)
}

pub(super) fn mset(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    mset_generic(r, c, args, false)?;
    c.out.ok();
    Ok(Flow::Continue)
}

pub(super) fn msetnx(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let done = mset_generic(r, c, args, true)?;
    c.out.int(i64::from(done));
    Ok(Flow::Continue)
}

fn incr_by(r: &mut Redis, c: &mut Call, key: &[u8], delta: i64) -> Res {
    let current = match r.dbs[c.db].get(key, c.now) {
        None => 0,
        Some(entry) => parse_i64(as_str(entry)?).ok_or(RedisError::NotInteger)?,
    };
    let next = current.checked_add(delta).ok_or(RedisError::Overflow)?;
    let mut digits = Vec::with_capacity(20);
    write_int(next, &mut digits);
    let mut entry = r.dbs[c.db].get_or_insert(key, c.now, || Value::Str(Vec::new()));
    entry.value = Value::Str(digits.clone());
    drop(entry);
    r.touch_key(c.db, key);
    r.event(EventKind::Set, c.conn, c.db, key, b"", &digits, 0);
    c.out.int(next);
    Ok(Flow::Continue)
}

pub(super) fn incr(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    incr_by(r, c, args[1], 1)
}

pub(super) fn decr(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    incr_by(r, c, args[1], -1)
}

pub(super) fn incrby(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let delta = int_arg(args[2])?;
    incr_by(r, c, args[1], delta)
}

pub(super) fn decrby(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let delta = int_arg(args[2])?;
    if delta == i64::MIN {
        return Err(RedisError::DecrementOverflow);
    }
    incr_by(r, c, args[1], -delta)
}

pub(super) fn append(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let (key, tail) = (args[1], args[2]);
    let length = match r.dbs[c.db].get(key, c.now) {
        None => 0,
        Some(entry) => as_str(entry)?.len(),
    };
    if length + tail.len() > r.max_string {
        return Err(RedisError::StringTooLong);
    }
    let mut entry = r.dbs[c.db].get_or_insert(key, c.now, || Value::Str(Vec::new()));
    let Value::Str(bytes) = &mut entry.value else {
        unreachable!("checked to be a string above");
    };
    bytes.extend_from_slice(tail);
    let length = bytes.len();
    drop(entry);
    r.touch_key(c.db, key);
    r.event(EventKind::Set, c.conn, c.db, key, b"", tail, length as u64);
    c.out.int(length as i64);
    Ok(Flow::Continue)
}

pub(super) fn strlen(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let length = match r.dbs[c.db].get(args[1], c.now) {
        None => 0,
        Some(entry) => as_str(entry)?.len(),
    };
    c.out.int(length as i64);
    Ok(Flow::Continue)
}

pub(super) fn getrange(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let mut start = int_arg(args[2])?;
    let mut end = int_arg(args[3])?;
    let value = match r.dbs[c.db].get(args[1], c.now) {
        None => Vec::new(),
        Some(entry) => as_str(entry)?.clone(),
    };
    let length = value.len() as i64;
    if start < 0 && end < 0 && start > end {
        c.out.bulk(b"");
        return Ok(Flow::Continue);
    }
    if start < 0 {
        start += length;
    }
    if end < 0 {
        end += length;
    }
    start = start.max(0);
    end = end.max(0);
    if end >= length {
        end = length - 1;
    }
    if start > end || length == 0 {
        c.out.bulk(b"");
    } else {
        c.out.bulk(&value[start as usize..=end as usize]);
    }
    Ok(Flow::Continue)
}

pub(super) fn setrange(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let (key, value) = (args[1], args[3]);
    let offset = int_arg(args[2])?;
    if offset < 0 {
        return Err(RedisError::OffsetRange);
    }
    let existing = match r.dbs[c.db].get(key, c.now) {
        None => None,
        Some(entry) => Some(as_str(entry)?.len()),
    };
    if value.is_empty() {
        c.out.int(existing.unwrap_or(0) as i64);
        return Ok(Flow::Continue);
    }
    let end = (offset as u64).saturating_add(value.len() as u64);
    if end > r.max_string as u64 {
        return Err(RedisError::StringTooLong);
    }
    let (offset, end) = (offset as usize, end as usize);
    let mut entry = r.dbs[c.db].get_or_insert(key, c.now, || Value::Str(Vec::new()));
    let Value::Str(bytes) = &mut entry.value else {
        unreachable!("checked to be a string above");
    };
    if bytes.len() < end {
        bytes.resize(end, 0);
    }
    bytes[offset..end].copy_from_slice(value);
    let length = bytes.len();
    drop(entry);
    r.touch_key(c.db, key);
    r.event(EventKind::Set, c.conn, c.db, key, b"", value, length as u64);
    c.out.int(length as i64);
    Ok(Flow::Continue)
}
