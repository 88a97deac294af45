//! Sets: kombu's exchange bindings (`_kombu.binding.<exchange>` lists the
//! queues bound to each exchange), Celery's chord bookkeeping.
//!
//! Reply order follows Redis 7.0 where it is defined: a set of at most
//! 512 integers is an intset, which Redis keeps sorted by value; any other
//! set is a hash table whose order is Redis's own (here: insertion order
//! disturbed by removals). As in Redis, a set stays a hash table once it
//! has been one.

use indexmap::IndexSet;

use super::{
    engine::{Call, Flow, Redis},
    error::RedisError,
    event::EventKind,
    keys::is_integer,
    keyspace::{SipBuild, Value},
    memory::ELEMENT_OVERHEAD,
    number::parse_i64,
};

type Res = Result<Flow, RedisError>;

/// Redis's `set-max-intset-entries`.
const INTSET_ENTRIES: usize = 512;

/// A set with its accounted size.
#[derive(Debug, Clone)]
pub struct Set {
    members: IndexSet<Vec<u8>, SipBuild>,
    bytes: usize,
    /// Still what Redis would keep as an intset (sorted integers).
    intset: bool,
}

impl Set {
    fn new(seed: u64) -> Set {
        Set {
            members: IndexSet::with_hasher(SipBuild::new(seed)),
            bytes: 0,
            intset: true,
        }
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn iter(&self) -> impl Iterator<Item = &Vec<u8>> {
        self.members.iter()
    }

    pub fn contains(&self, member: &[u8]) -> bool {
        self.members.contains(member)
    }

    /// Adds a member; true if it is new.
    pub fn add(&mut self, member: &[u8]) -> bool {
        if self.members.contains(member) {
            return false;
        }
        if !is_integer(member) || self.members.len() >= INTSET_ENTRIES {
            self.intset = false;
        }
        self.bytes += member.len() + ELEMENT_OVERHEAD;
        self.members.insert(member.to_vec());
        true
    }

    /// Removes a member; true if it was there.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        if self.members.swap_remove(member) {
            self.bytes -= member.len() + ELEMENT_OVERHEAD;
            true
        } else {
            false
        }
    }

    /// The members in Redis's reply order where it has one.
    pub fn ordered(&self) -> Vec<&Vec<u8>> {
        let mut members: Vec<&Vec<u8>> = self.members.iter().collect();
        if self.intset {
            members.sort_by_key(|member| parse_i64(member).unwrap_or_default());
        }
        members
    }
}

/// The set at `key`: `None` if absent, WRONGTYPE if not a set.
fn set<'a>(r: &'a mut Redis, c: &Call, key: &[u8]) -> Result<Option<&'a Set>, RedisError> {
    match r.dbs[c.db].get(key, c.now) {
        None => Ok(None),
        Some(entry) => match &entry.value {
            Value::Set(set) => Ok(Some(set)),
            _ => Err(RedisError::WrongType),
        },
    }
}

/// Adds members to the set at `key`, creating it; how many were new.
pub(super) fn add_members(
    r: &mut Redis,
    c: &Call,
    key: &[u8],
    members: &[&[u8]],
) -> Result<usize, RedisError> {
    set(r, c, key)?;
    let seed = r.seed() ^ 0x0073_6574;
    let mut entry = r.dbs[c.db].get_or_insert(key, c.now, || Value::Set(Set::new(seed)));
    let Value::Set(set) = &mut entry.value else {
        unreachable!("checked to be a set above");
    };
    let added: Vec<&[u8]> = members.iter().copied().filter(|m| set.add(m)).collect();
    drop(entry);
    r.touch_key(c.db, key);
    for member in &added {
        r.event(EventKind::SetAdd, c.conn, c.db, key, member, b"", 0);
    }
    Ok(added.len())
}

/// Removes members from the set at `key`; how many were there.
pub(super) fn remove_members(
    r: &mut Redis,
    c: &Call,
    key: &[u8],
    members: &[&[u8]],
) -> Result<usize, RedisError> {
    if set(r, c, key)?.is_none() {
        return Ok(0);
    }
    let mut entry = r.dbs[c.db].get_mut(key, c.now).expect("checked");
    let Value::Set(set) = &mut entry.value else {
        unreachable!("checked to be a set above");
    };
    let removed: Vec<&[u8]> = members.iter().copied().filter(|m| set.remove(m)).collect();
    drop(entry);
    r.dbs[c.db].remove_if_empty(key);
    if !removed.is_empty() {
        r.touch_key(c.db, key);
        for member in &removed {
            r.event(EventKind::SetRemove, c.conn, c.db, key, member, b"", 0);
        }
    }
    Ok(removed.len())
}

pub(super) fn sadd(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let added = add_members(r, c, args[1], &args[2..])?;
    c.out.int(added as i64);
    Ok(Flow::Continue)
}

pub(super) fn srem(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let removed = remove_members(r, c, args[1], &args[2..])?;
    c.out.int(removed as i64);
    Ok(Flow::Continue)
}

pub(super) fn smembers(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let members: Vec<Vec<u8>> = set(r, c, args[1])?
        .map(|set| set.ordered().into_iter().cloned().collect())
        .unwrap_or_default();
    c.out.set(members.len());
    for member in &members {
        c.out.bulk(member);
    }
    Ok(Flow::Continue)
}

pub(super) fn sismember(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let found = set(r, c, args[1])?.is_some_and(|set| set.contains(args[2]));
    c.out.int(i64::from(found));
    Ok(Flow::Continue)
}

pub(super) fn smismember(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let found: Vec<bool> = {
        let found = set(r, c, args[1])?;
        args[2..]
            .iter()
            .map(|member| found.is_some_and(|set| set.contains(member)))
            .collect()
    };
    c.out.array(found.len());
    for hit in found {
        c.out.int(i64::from(hit));
    }
    Ok(Flow::Continue)
}

pub(super) fn scard(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let count = set(r, c, args[1])?.map_or(0, Set::len);
    c.out.int(count as i64);
    Ok(Flow::Continue)
}

pub(super) fn smove(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let (source, dest, member) = (args[1], args[2], args[3]);
    if !r.dbs[c.db].contains(source, c.now) {
        c.out.int(0);
        return Ok(Flow::Continue);
    }
    let in_source = set(r, c, source)?.is_some_and(|set| set.contains(member));
    set(r, c, dest)?;
    if source == dest || !in_source {
        c.out.int(i64::from(in_source));
        return Ok(Flow::Continue);
    }
    remove_members(r, c, source, &[member])?;
    add_members(r, c, dest, &[member])?;
    c.out.int(1);
    Ok(Flow::Continue)
}

/// Which combination SINTER, SUNION and SDIFF make.
#[derive(Debug, Clone, Copy)]
enum Combine {
    Inter,
    Union,
    Diff,
}

fn combine(r: &mut Redis, c: &mut Call, keys: &[&[u8]], how: Combine) -> Res {
    let mut sets: Vec<Option<Set>> = Vec::with_capacity(keys.len());
    for key in keys {
        sets.push(set(r, c, key)?.cloned());
    }
    let mut result: Vec<Vec<u8>> = Vec::new();
    match how {
        Combine::Inter => {
            if sets.iter().all(Option::is_some) {
                let sets: Vec<&Set> = sets.iter().flatten().collect();
                let smallest = sets
                    .iter()
                    .min_by_key(|set| set.len())
                    .expect("at least one key");
                for member in smallest.ordered() {
                    if sets.iter().all(|set| set.contains(member)) {
                        result.push(member.clone());
                    }
                }
            }
        }
        Combine::Union => {
            let mut seen = std::collections::BTreeSet::new();
            for member in sets.iter().flatten().flat_map(Set::ordered) {
                if seen.insert(member.clone()) {
                    result.push(member.clone());
                }
            }
        }
        Combine::Diff => {
            if let Some(Some(first)) = sets.first() {
                for member in first.ordered() {
                    if !sets[1..].iter().flatten().any(|set| set.contains(member)) {
                        result.push(member.clone());
                    }
                }
            }
        }
    }
    c.out.set(result.len());
    for member in &result {
        c.out.bulk(member);
    }
    Ok(Flow::Continue)
}

pub(super) fn sinter(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    combine(r, c, &args[1..], Combine::Inter)
}

pub(super) fn sunion(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    combine(r, c, &args[1..], Combine::Union)
}

pub(super) fn sdiff(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    combine(r, c, &args[1..], Combine::Diff)
}
