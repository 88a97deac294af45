//! The key-space commands, whatever a key holds: DEL, EXISTS, TYPE, KEYS,
//! SCAN, RENAME, TOUCH, and expiry (EXPIRE and its variants, TTL, PERSIST).

use super::{
    engine::{Call, Flow, Redis},
    error::RedisError,
    event::EventKind,
    glob,
    number::{int_arg, parse_i64},
};

type Res = Result<Flow, RedisError>;

pub(super) fn del(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let mut removed = 0;
    for key in &args[1..] {
        if r.dbs[c.db].contains(key, c.now) {
            r.dbs[c.db].remove(key);
            r.touch_key(c.db, key);
            r.event(EventKind::Delete, c.conn, c.db, key, b"", b"", 0);
            removed += 1;
        }
    }
    c.out.int(removed);
    Ok(Flow::Continue)
}

pub(super) fn exists(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let count = args[1..]
        .iter()
        .filter(|key| r.dbs[c.db].contains(key, c.now))
        .count();
    c.out.int(count as i64);
    Ok(Flow::Continue)
}

pub(super) fn touch(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let count = args[1..]
        .iter()
        .filter(|key| r.dbs[c.db].get(key, c.now).is_some())
        .count();
    c.out.int(count as i64);
    Ok(Flow::Continue)
}

pub(super) fn type_(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let name = r.dbs[c.db]
        .get(args[1], c.now)
        .map_or("none", |entry| entry.value.type_name());
    c.out.simple(name);
    Ok(Flow::Continue)
}

pub(super) fn keys(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let pattern = args[1];
    let all = pattern == b"*";
    let found: Vec<Vec<u8>> = r.dbs[c.db]
        .keys()
        .filter(|(key, entry)| {
            !entry.is_expired(c.now) && (all || glob::matches(pattern, key, false))
        })
        .map(|(key, _)| key.clone())
        .collect();
    c.out.array(found.len());
    for key in &found {
        c.out.bulk(key);
    }
    Ok(Flow::Continue)
}

pub(super) fn scan(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let cursor = std::str::from_utf8(args[1])
        .ok()
        .and_then(|text| text.parse::<u64>().ok())
        .filter(|_| !args[1].starts_with(b"+") && !args[1].is_empty())
        .ok_or(RedisError::InvalidCursor)?;
    let mut count = 10usize;
    let mut pattern: Option<&[u8]> = None;
    let mut type_filter: Option<Vec<u8>> = None;
    let mut i = 2;
    while i < args.len() {
        let option = args[i].to_ascii_lowercase();
        let value = args.get(i + 1).ok_or(RedisError::Syntax)?;
        match option.as_slice() {
            b"count" => {
                let n = int_arg(value)?;
                if n < 1 {
                    return Err(RedisError::Syntax);
                }
                count = n.min(1 << 20) as usize;
            }
            b"match" => pattern = Some(value),
            b"type" => type_filter = Some(value.to_ascii_lowercase()),
            _ => return Err(RedisError::Syntax),
        }
        i += 2;
    }
    let mut found = Vec::new();
    let now = c.now;
    let next = r.dbs[c.db].scan(cursor, count, |key, entry| {
        if entry.is_expired(now) {
            return;
        }
        if pattern.is_some_and(|p| !glob::matches(p, key, false)) {
            return;
        }
        if type_filter
            .as_deref()
            .is_some_and(|t| t != entry.value.type_name().as_bytes())
        {
            return;
        }
        found.push(key.to_vec());
    });
    c.out.array(2);
    c.out.bulk(next.to_string().as_bytes());
    c.out.array(found.len());
    for key in &found {
        c.out.bulk(key);
    }
    Ok(Flow::Continue)
}

fn rename_inner(r: &mut Redis, c: &mut Call, args: &[&[u8]], nx: bool) -> Result<bool, RedisError> {
    let (from, to) = (args[1], args[2]);
    if !r.dbs[c.db].contains(from, c.now) {
        return Err(RedisError::NoSuchKey);
    }
    if from == to {
        return Ok(!nx);
    }
    if nx && r.dbs[c.db].contains(to, c.now) {
        return Ok(false);
    }
    let entry = r.dbs[c.db].remove(from).expect("checked");
    r.dbs[c.db].remove(to);
    r.dbs[c.db].insert(to.to_vec(), entry);
    r.touch_key(c.db, from);
    r.touch_key(c.db, to);
    r.event(EventKind::Delete, c.conn, c.db, from, to, b"", 0);
    if r.blocking.has_waiters(c.db, to) {
        r.blocking.signal(c.db, to);
    }
    Ok(true)
}

pub(super) fn rename(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    rename_inner(r, c, args, false)?;
    c.out.ok();
    Ok(Flow::Continue)
}

pub(super) fn renamenx(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let done = rename_inner(r, c, args, true)?;
    c.out.int(i64::from(done));
    Ok(Flow::Continue)
}

/// How EXPIRE's argument counts.
#[derive(Debug, Clone, Copy)]
enum Unit {
    Seconds,
    Millis,
}

fn expire_generic(
    r: &mut Redis,
    c: &mut Call,
    args: &[&[u8]],
    unit: Unit,
    absolute: bool,
    name: &'static str,
) -> Res {
    let key = args[1];
    let (mut nx, mut xx, mut gt, mut lt) = (false, false, false, false);
    for option in &args[3..] {
        match option.to_ascii_lowercase().as_slice() {
            b"nx" => nx = true,
            b"xx" => xx = true,
            b"gt" => gt = true,
            b"lt" => lt = true,
            _ => {
                return Err(RedisError::UnsupportedOption(
                    String::from_utf8_lossy(option).into_owned(),
                ));
            }
        }
    }
    if nx && (xx || gt || lt) {
        return Err(RedisError::ExpireOptions);
    }
    if gt && lt {
        return Err(RedisError::GtAndLt);
    }
    let amount = int_arg(args[2])?;
    let millis = match unit {
        Unit::Seconds => amount
            .checked_mul(1000)
            .ok_or(RedisError::InvalidExpire(name))?,
        Unit::Millis => amount,
    };
    let when = if absolute {
        millis
    } else {
        millis
            .checked_add(c.now as i64)
            .ok_or(RedisError::InvalidExpire(name))?
    };
    let Some(mut entry) = r.dbs[c.db].get_mut(key, c.now) else {
        c.out.int(0);
        return Ok(Flow::Continue);
    };
    let current = entry.expires_at.map(|at| at as i64);
    // No expiry counts as an infinite one for GT and LT.
    let refused = (nx && current.is_some())
        || (xx && current.is_none())
        || (gt && current.is_none_or(|at| when <= at))
        || (lt && current.is_some_and(|at| when >= at));
    if refused {
        drop(entry);
        c.out.int(0);
        return Ok(Flow::Continue);
    }
    if when <= c.now as i64 {
        drop(entry);
        r.dbs[c.db].remove(key);
        r.touch_key(c.db, key);
        r.event(EventKind::Delete, c.conn, c.db, key, b"", b"", 0);
    } else {
        entry.expires_at = Some(when as u64);
        drop(entry);
        r.touch_key(c.db, key);
        r.event(EventKind::Ttl, c.conn, c.db, key, b"", b"", when as u64);
    }
    c.out.int(1);
    Ok(Flow::Continue)
}

pub(super) fn expire(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    expire_generic(r, c, args, Unit::Seconds, false, "expire")
}

pub(super) fn pexpire(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    expire_generic(r, c, args, Unit::Millis, false, "pexpire")
}

pub(super) fn expireat(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    expire_generic(r, c, args, Unit::Seconds, true, "expireat")
}

pub(super) fn pexpireat(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    expire_generic(r, c, args, Unit::Millis, true, "pexpireat")
}

/// The key's expiry: `None` if absent, `Some(None)` if it has none.
fn expiry(r: &mut Redis, c: &Call, key: &[u8]) -> Option<Option<u64>> {
    r.dbs[c.db].get(key, c.now).map(|entry| entry.expires_at)
}

fn ttl_generic(r: &mut Redis, c: &mut Call, key: &[u8], millis: bool, absolute: bool) -> Res {
    let reply = match expiry(r, c, key) {
        None => -2,
        Some(None) => -1,
        Some(Some(at)) if absolute => {
            if millis {
                at as i64
            } else {
                ((at + 500) / 1000) as i64
            }
        }
        Some(Some(at)) => {
            let left = at.saturating_sub(c.now) as i64;
            if millis { left } else { (left + 500) / 1000 }
        }
    };
    c.out.int(reply);
    Ok(Flow::Continue)
}

pub(super) fn ttl(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    ttl_generic(r, c, args[1], false, false)
}

pub(super) fn pttl(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    ttl_generic(r, c, args[1], true, false)
}

pub(super) fn expiretime(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    ttl_generic(r, c, args[1], false, true)
}

pub(super) fn pexpiretime(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    ttl_generic(r, c, args[1], true, true)
}

pub(super) fn persist(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let key = args[1];
    let changed = match r.dbs[c.db].get_mut(key, c.now) {
        Some(mut entry) if entry.expires_at.is_some() => {
            entry.expires_at = None;
            true
        }
        _ => false,
    };
    if changed {
        r.touch_key(c.db, key);
        r.event(EventKind::Ttl, c.conn, c.db, key, b"", b"", 0);
    }
    c.out.int(i64::from(changed));
    Ok(Flow::Continue)
}

/// Whether `bytes` reads as a Redis integer (used by sets' ordering).
pub(super) fn is_integer(bytes: &[u8]) -> bool {
    parse_i64(bytes).is_some()
}
