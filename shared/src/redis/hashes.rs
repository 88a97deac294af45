//! Hashes: kombu keeps each reserved but unacknowledged task in the
//! `unacked` hash (delivery tag → message) until the worker acknowledges
//! it with HDEL, or the visibility timeout restores it.
//!
//! Field order follows Redis 7.0's encodings, so replies match byte for
//! byte: a small hash (at most 128 fields, none and no value over 64
//! bytes) is a listpack, which keeps insertion order; past that Redis
//! converts it to a hash table for good, whose order is its own (here:
//! insertion order disturbed by removals).

use indexmap::IndexMap;

use super::{
    engine::{Call, Flow, Redis},
    error::RedisError,
    event::EventKind,
    keyspace::{SipBuild, Value},
    memory::ELEMENT_OVERHEAD,
    number::{int_arg, parse_i64, write_int},
};

type Res = Result<Flow, RedisError>;

/// Redis's `hash-max-listpack-entries`.
const LISTPACK_ENTRIES: usize = 128;
/// Redis's `hash-max-listpack-value`.
const LISTPACK_VALUE: usize = 64;

/// A hash with its accounted size.
#[derive(Debug, Clone)]
pub struct Hash {
    fields: IndexMap<Vec<u8>, Vec<u8>, SipBuild>,
    bytes: usize,
    /// Still what Redis would keep as a listpack (insertion order).
    compact: bool,
}

impl Hash {
    fn new(seed: u64) -> Hash {
        Hash {
            fields: IndexMap::with_hasher(SipBuild::new(seed)),
            bytes: 0,
            compact: true,
        }
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn get(&self, field: &[u8]) -> Option<&Vec<u8>> {
        self.fields.get(field)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Vec<u8>, &Vec<u8>)> {
        self.fields.iter()
    }

    /// Sets a field; true if it is new.
    pub fn set(&mut self, field: &[u8], value: Vec<u8>) -> bool {
        if field.len() > LISTPACK_VALUE || value.len() > LISTPACK_VALUE {
            self.compact = false;
        }
        self.bytes += value.len();
        let new = match self.fields.get_mut(field) {
            Some(slot) => {
                self.bytes -= slot.len();
                *slot = value;
                false
            }
            None => {
                self.bytes += field.len() + ELEMENT_OVERHEAD;
                self.fields.insert(field.to_vec(), value);
                true
            }
        };
        if self.fields.len() > LISTPACK_ENTRIES {
            self.compact = false;
        }
        new
    }

    /// Removes a field; true if it was there.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        let removed = if self.compact {
            self.fields.shift_remove_entry(field)
        } else {
            self.fields.swap_remove_entry(field)
        };
        match removed {
            Some((field, value)) => {
                self.bytes -= field.len() + value.len() + ELEMENT_OVERHEAD;
                true
            }
            None => false,
        }
    }
}

/// The hash at `key`: `None` if absent, WRONGTYPE if not a hash.
fn hash<'a>(r: &'a mut Redis, c: &Call, key: &[u8]) -> Result<Option<&'a Hash>, RedisError> {
    match r.dbs[c.db].get(key, c.now) {
        None => Ok(None),
        Some(entry) => match &entry.value {
            Value::Hash(hash) => Ok(Some(hash)),
            _ => Err(RedisError::WrongType),
        },
    }
}

/// Sets field/value pairs, creating the hash; how many fields were new.
fn set_fields(
    r: &mut Redis,
    c: &mut Call,
    key: &[u8],
    pairs: &[&[u8]],
) -> Result<usize, RedisError> {
    hash(r, c, key)?;
    let seed = r.seed() ^ 0x6861_7368;
    let mut entry = r.dbs[c.db].get_or_insert(key, c.now, || Value::Hash(Hash::new(seed)));
    let Value::Hash(hash) = &mut entry.value else {
        unreachable!("checked to be a hash above");
    };
    let mut created = 0;
    for pair in pairs.chunks(2) {
        if hash.set(pair[0], pair[1].to_vec()) {
            created += 1;
        }
    }
    drop(entry);
    r.touch_key(c.db, key);
    if r.is_recording() {
        for pair in pairs.chunks(2) {
            r.event(EventKind::HashSet, c.conn, c.db, key, pair[0], pair[1], 0);
        }
    }
    Ok(created)
}

pub(super) fn hset(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    if args.len() % 2 == 1 {
        return Err(RedisError::WrongArity("hset".to_owned()));
    }
    let created = set_fields(r, c, args[1], &args[2..])?;
    c.out.int(created as i64);
    Ok(Flow::Continue)
}

pub(super) fn hmset(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    if args.len() % 2 == 1 {
        return Err(RedisError::WrongArity("hmset".to_owned()));
    }
    set_fields(r, c, args[1], &args[2..])?;
    c.out.ok();
    Ok(Flow::Continue)
}

pub(super) fn hsetnx(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    if hash(r, c, args[1])?.is_some_and(|hash| hash.get(args[2]).is_some()) {
        c.out.int(0);
        return Ok(Flow::Continue);
    }
    set_fields(r, c, args[1], &args[2..4])?;
    c.out.int(1);
    Ok(Flow::Continue)
}

pub(super) fn hget(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    match hash(r, c, args[1])?.and_then(|hash| hash.get(args[2])) {
        Some(value) => c.out.bulk(value),
        None => c.out.null(),
    }
    Ok(Flow::Continue)
}

pub(super) fn hmget(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let found = hash(r, c, args[1])?;
    c.out.array(args.len() - 2);
    for field in &args[2..] {
        match found.and_then(|hash| hash.get(field)) {
            Some(value) => c.out.bulk(value),
            None => c.out.null(),
        }
    }
    Ok(Flow::Continue)
}

pub(super) fn hdel(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let key = args[1];
    if hash(r, c, key)?.is_none() {
        c.out.int(0);
        return Ok(Flow::Continue);
    }
    let mut entry = r.dbs[c.db].get_mut(key, c.now).expect("checked");
    let Value::Hash(hash) = &mut entry.value else {
        unreachable!("checked to be a hash above");
    };
    let mut removed = Vec::new();
    for field in &args[2..] {
        if hash.remove(field) {
            removed.push(*field);
        }
        if hash.is_empty() {
            break;
        }
    }
    drop(entry);
    r.dbs[c.db].remove_if_empty(key);
    if !removed.is_empty() {
        r.touch_key(c.db, key);
        for field in &removed {
            r.event(EventKind::HashDelete, c.conn, c.db, key, field, b"", 0);
        }
    }
    c.out.int(removed.len() as i64);
    Ok(Flow::Continue)
}

pub(super) fn hlen(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let length = hash(r, c, args[1])?.map_or(0, Hash::len);
    c.out.int(length as i64);
    Ok(Flow::Continue)
}

pub(super) fn hexists(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let exists = hash(r, c, args[1])?.is_some_and(|hash| hash.get(args[2]).is_some());
    c.out.int(i64::from(exists));
    Ok(Flow::Continue)
}

pub(super) fn hstrlen(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let length = hash(r, c, args[1])?
        .and_then(|hash| hash.get(args[2]))
        .map_or(0, Vec::len);
    c.out.int(length as i64);
    Ok(Flow::Continue)
}

/// Which parts of each field HGETALL, HKEYS and HVALS reply.
#[derive(Debug, Clone, Copy)]
enum Parts {
    Both,
    Fields,
    Values,
}

fn list_fields(r: &mut Redis, c: &mut Call, key: &[u8], parts: Parts) -> Res {
    let Some(hash) = hash(r, c, key)? else {
        match parts {
            Parts::Both => c.out.map(0),
            _ => c.out.array(0),
        }
        return Ok(Flow::Continue);
    };
    match parts {
        Parts::Both => c.out.map(hash.len()),
        _ => c.out.array(hash.len()),
    }
    for (field, value) in hash.iter() {
        match parts {
            Parts::Both => {
                c.out.bulk(field);
                c.out.bulk(value);
            }
            Parts::Fields => c.out.bulk(field),
            Parts::Values => c.out.bulk(value),
        }
    }
    Ok(Flow::Continue)
}

pub(super) fn hgetall(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    list_fields(r, c, args[1], Parts::Both)
}

pub(super) fn hkeys(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    list_fields(r, c, args[1], Parts::Fields)
}

pub(super) fn hvals(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    list_fields(r, c, args[1], Parts::Values)
}

pub(super) fn hincrby(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let (key, field) = (args[1], args[2]);
    let delta = int_arg(args[3])?;
    let current = match hash(r, c, key)?.and_then(|hash| hash.get(field)) {
        None => 0,
        Some(value) => parse_i64(value).ok_or(RedisError::HashNotInteger)?,
    };
    let next = current.checked_add(delta).ok_or(RedisError::Overflow)?;
    let mut digits = Vec::with_capacity(20);
    write_int(next, &mut digits);
    set_fields(r, c, key, &[field, &digits])?;
    c.out.int(next);
    Ok(Flow::Continue)
}
