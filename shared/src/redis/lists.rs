//! Lists: kombu's queues. A task is LPUSHed onto its queue's list and a
//! worker takes it from the other end with BRPOP; restoring an
//! unacknowledged task pushes it back. The blocking commands' waiting is
//! in [`super::blocking`].

use std::collections::VecDeque;

use super::{
    blocking::{BlockOp, Blocked},
    engine::{Call, Flow, Redis},
    error::RedisError,
    event::EventKind,
    keyspace::Value,
    memory::ELEMENT_OVERHEAD,
    number::{int_arg, parse_f64},
};

type Res = Result<Flow, RedisError>;

/// Which end of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Left,
    Right,
}

/// A list with its accounted size.
#[derive(Debug, Clone, Default)]
pub struct List {
    items: VecDeque<Vec<u8>>,
    bytes: usize,
}

impl List {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn push(&mut self, end: End, item: Vec<u8>) {
        self.bytes += item.len() + ELEMENT_OVERHEAD;
        match end {
            End::Left => self.items.push_front(item),
            End::Right => self.items.push_back(item),
        }
    }

    pub fn pop(&mut self, end: End) -> Option<Vec<u8>> {
        let item = match end {
            End::Left => self.items.pop_front(),
            End::Right => self.items.pop_back(),
        }?;
        self.bytes -= item.len() + ELEMENT_OVERHEAD;
        Some(item)
    }

    pub fn get(&self, index: usize) -> Option<&Vec<u8>> {
        self.items.get(index)
    }

    pub fn iter(&self) -> std::collections::vec_deque::Iter<'_, Vec<u8>> {
        self.items.iter()
    }

    fn set(&mut self, index: usize, item: Vec<u8>) {
        let slot = &mut self.items[index];
        self.bytes = self.bytes - slot.len() + item.len();
        *slot = item;
    }

    fn retain_indexed(&mut self, mut keep: impl FnMut(usize, &Vec<u8>) -> bool) {
        let mut index = 0;
        let mut removed = 0;
        self.items.retain(|item| {
            let kept = keep(index, item);
            index += 1;
            if !kept {
                removed += item.len() + ELEMENT_OVERHEAD;
            }
            kept
        });
        self.bytes -= removed;
    }

    fn insert(&mut self, index: usize, item: Vec<u8>) {
        self.bytes += item.len() + ELEMENT_OVERHEAD;
        self.items.insert(index, item);
    }
}

/// The list at `key`: `None` if absent, WRONGTYPE if not a list.
fn list<'a>(r: &'a mut Redis, c: &Call, key: &[u8]) -> Result<Option<&'a List>, RedisError> {
    match r.dbs[c.db].get(key, c.now) {
        None => Ok(None),
        Some(entry) => match &entry.value {
            Value::List(list) => Ok(Some(list)),
            _ => Err(RedisError::WrongType),
        },
    }
}

fn end_arg(arg: &[u8]) -> Result<End, RedisError> {
    if arg.eq_ignore_ascii_case(b"left") {
        Ok(End::Left)
    } else if arg.eq_ignore_ascii_case(b"right") {
        Ok(End::Right)
    } else {
        Err(RedisError::Syntax)
    }
}

fn push_generic(r: &mut Redis, c: &mut Call, args: &[&[u8]], end: End, only_existing: bool) -> Res {
    let key = args[1];
    let exists = list(r, c, key)?.is_some();
    if only_existing && !exists {
        c.out.int(0);
        return Ok(Flow::Continue);
    }
    let mut entry = r.dbs[c.db].get_or_insert(key, c.now, || Value::List(List::default()));
    let Value::List(list) = &mut entry.value else {
        unreachable!("checked to be a list above");
    };
    for item in &args[2..] {
        list.push(end, item.to_vec());
    }
    let length = list.len();
    drop(entry);
    r.touch_key(c.db, key);
    r.blocking.signal(c.db, key);
    if r.is_recording() {
        for item in &args[2..] {
            r.event(EventKind::Push, c.conn, c.db, key, b"", item, length as u64);
        }
    }
    c.out.int(length as i64);
    Ok(Flow::Continue)
}

pub(super) fn lpush(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    push_generic(r, c, args, End::Left, false)
}

pub(super) fn rpush(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    push_generic(r, c, args, End::Right, false)
}

pub(super) fn lpushx(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    push_generic(r, c, args, End::Left, true)
}

pub(super) fn rpushx(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    push_generic(r, c, args, End::Right, true)
}

/// Pops up to `count` elements; the key goes when the list empties.
fn pop_n(r: &mut Redis, c: &Call, key: &[u8], end: End, count: usize) -> Vec<Vec<u8>> {
    let Some(mut entry) = r.dbs[c.db].get_mut(key, c.now) else {
        return Vec::new();
    };
    let Value::List(list) = &mut entry.value else {
        return Vec::new();
    };
    let mut popped = Vec::with_capacity(count.min(list.len()));
    while popped.len() < count {
        match list.pop(end) {
            Some(item) => popped.push(item),
            None => break,
        }
    }
    drop(entry);
    r.dbs[c.db].remove_if_empty(key);
    if !popped.is_empty() {
        r.touch_key(c.db, key);
        if r.is_recording() {
            for item in &popped {
                r.event(EventKind::Pop, c.conn, c.db, key, b"", item, 0);
            }
        }
    }
    popped
}

fn pop_generic(r: &mut Redis, c: &mut Call, args: &[&[u8]], end: End, name: &str) -> Res {
    if args.len() > 3 {
        return Err(RedisError::WrongArity(name.to_owned()));
    }
    let count = match args.get(2) {
        None => None,
        Some(arg) => match int_arg(arg) {
            Ok(n) if n >= 0 => Some(n as usize),
            _ => return Err(RedisError::NotPositive),
        },
    };
    let key = args[1];
    if list(r, c, key)?.is_none() {
        match count {
            Some(_) => c.out.null_array(),
            None => c.out.null(),
        }
        return Ok(Flow::Continue);
    }
    match count {
        None => {
            let popped = pop_n(r, c, key, end, 1);
            c.out.bulk(&popped[0]);
        }
        Some(count) => {
            let popped = pop_n(r, c, key, end, count);
            c.out.array(popped.len());
            for item in &popped {
                c.out.bulk(item);
            }
        }
    }
    Ok(Flow::Continue)
}

pub(super) fn lpop(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    pop_generic(r, c, args, End::Left, "lpop")
}

pub(super) fn rpop(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    pop_generic(r, c, args, End::Right, "rpop")
}

pub(super) fn llen(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let length = list(r, c, args[1])?.map_or(0, List::len);
    c.out.int(length as i64);
    Ok(Flow::Continue)
}

pub(super) fn lrange(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let mut start = int_arg(args[2])?;
    let mut end = int_arg(args[3])?;
    let Some(list) = list(r, c, args[1])? else {
        c.out.array(0);
        return Ok(Flow::Continue);
    };
    let length = list.len() as i64;
    if start < 0 {
        start += length;
    }
    if end < 0 {
        end += length;
    }
    start = start.max(0);
    if start > end || start >= length {
        c.out.array(0);
        return Ok(Flow::Continue);
    }
    end = end.min(length - 1);
    let (start, end) = (start as usize, end as usize);
    c.out.array(end - start + 1);
    for item in list.iter().skip(start).take(end - start + 1) {
        c.out.bulk(item);
    }
    Ok(Flow::Continue)
}

pub(super) fn lindex(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    // Redis looks the key up before it reads the index.
    if list(r, c, args[1])?.is_none() {
        c.out.null();
        return Ok(Flow::Continue);
    }
    let index = int_arg(args[2])?;
    let list = list(r, c, args[1])?.expect("checked");
    let position = if index < 0 {
        index + list.len() as i64
    } else {
        index
    };
    match usize::try_from(position).ok().and_then(|p| list.get(p)) {
        Some(item) => c.out.bulk(item),
        None => c.out.null(),
    }
    Ok(Flow::Continue)
}

pub(super) fn lset(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let key = args[1];
    // Redis looks the key up before it reads the index.
    let length = list(r, c, key)?.ok_or(RedisError::NoSuchKey)?.len() as i64;
    let index = int_arg(args[2])?;
    let position = if index < 0 { index + length } else { index };
    if position < 0 || position >= length {
        return Err(RedisError::IndexOutOfRange);
    }
    let mut entry = r.dbs[c.db].get_mut(key, c.now).expect("checked");
    if let Value::List(list) = &mut entry.value {
        list.set(position as usize, args[3].to_vec());
    }
    drop(entry);
    r.touch_key(c.db, key);
    r.event(
        EventKind::Push,
        c.conn,
        c.db,
        key,
        b"",
        args[3],
        length as u64,
    );
    c.out.ok();
    Ok(Flow::Continue)
}

pub(super) fn lrem(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let (key, value) = (args[1], args[3]);
    let count = int_arg(args[2])?;
    let Some(found) = list(r, c, key)? else {
        c.out.int(0);
        return Ok(Flow::Continue);
    };
    // Positions to remove, from the head (count > 0), the tail (< 0) or all.
    let limit = if count == 0 {
        usize::MAX
    } else {
        count.unsigned_abs() as usize
    };
    let mut positions: Vec<usize> = Vec::new();
    let length = found.len();
    if count >= 0 {
        for (i, item) in found.iter().enumerate() {
            if positions.len() == limit {
                break;
            }
            if item.as_slice() == value {
                positions.push(i);
            }
        }
    } else {
        for (i, item) in found.iter().enumerate().rev() {
            if positions.len() == limit {
                break;
            }
            if item.as_slice() == value {
                positions.push(i);
            }
        }
    }
    let removed = positions.len();
    if removed > 0 {
        let mut doomed = vec![false; length];
        for p in positions {
            doomed[p] = true;
        }
        let mut entry = r.dbs[c.db].get_mut(key, c.now).expect("checked");
        if let Value::List(list) = &mut entry.value {
            list.retain_indexed(|i, _| !doomed[i]);
        }
        drop(entry);
        r.dbs[c.db].remove_if_empty(key);
        r.touch_key(c.db, key);
        r.event(
            EventKind::ListRemove,
            c.conn,
            c.db,
            key,
            b"",
            value,
            removed as u64,
        );
    }
    c.out.int(removed as i64);
    Ok(Flow::Continue)
}

pub(super) fn ltrim(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let key = args[1];
    let mut start = int_arg(args[2])?;
    let mut end = int_arg(args[3])?;
    let Some(found) = list(r, c, key)? else {
        c.out.ok();
        return Ok(Flow::Continue);
    };
    let length = found.len() as i64;
    if start < 0 {
        start += length;
    }
    if end < 0 {
        end += length;
    }
    start = start.max(0);
    let (keep_from, keep_to) = if start > end || start >= length {
        (0, -1)
    } else {
        (start, end.min(length - 1))
    };
    let mut entry = r.dbs[c.db].get_mut(key, c.now).expect("checked");
    if let Value::List(list) = &mut entry.value {
        list.retain_indexed(|i, _| (i as i64) >= keep_from && (i as i64) <= keep_to);
    }
    drop(entry);
    r.dbs[c.db].remove_if_empty(key);
    r.touch_key(c.db, key);
    r.event(EventKind::ListRemove, c.conn, c.db, key, b"", b"", 0);
    c.out.ok();
    Ok(Flow::Continue)
}

pub(super) fn linsert(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let after = if args[2].eq_ignore_ascii_case(b"after") {
        true
    } else if args[2].eq_ignore_ascii_case(b"before") {
        false
    } else {
        return Err(RedisError::Syntax);
    };
    let key = args[1];
    let Some(found) = list(r, c, key)? else {
        c.out.int(0);
        return Ok(Flow::Continue);
    };
    let Some(position) = found.iter().position(|item| item.as_slice() == args[3]) else {
        c.out.int(-1);
        return Ok(Flow::Continue);
    };
    let mut entry = r.dbs[c.db].get_mut(key, c.now).expect("checked");
    let Value::List(list) = &mut entry.value else {
        unreachable!("checked to be a list above");
    };
    list.insert(position + usize::from(after), args[4].to_vec());
    let length = list.len();
    drop(entry);
    r.touch_key(c.db, key);
    r.event(
        EventKind::Push,
        c.conn,
        c.db,
        key,
        b"",
        args[4],
        length as u64,
    );
    c.out.int(length as i64);
    Ok(Flow::Continue)
}

/// LMOVE's work: the element moved, or `None` if the source is empty.
fn move_one(
    r: &mut Redis,
    c: &mut Call,
    source: &[u8],
    dest: &[u8],
    from: End,
    to: End,
) -> Result<Option<Vec<u8>>, RedisError> {
    if list(r, c, source)?.is_none() {
        return Ok(None);
    }
    list(r, c, dest)?;
    let mut entry = r.dbs[c.db].get_mut(source, c.now).expect("checked");
    let Value::List(list) = &mut entry.value else {
        unreachable!("checked to be a list above");
    };
    let element = list.pop(from).expect("lists are never empty");
    drop(entry);
    r.push_list(c.db, dest, to, element.clone());
    r.dbs[c.db].remove_if_empty(source);
    r.touch_key(c.db, source);
    r.event(EventKind::Pop, c.conn, c.db, source, dest, &element, 0);
    Ok(Some(element))
}

fn reply_moved(c: &mut Call, moved: Option<Vec<u8>>) {
    match moved {
        Some(element) => c.out.bulk(&element),
        None => c.out.null(),
    }
}

pub(super) fn rpoplpush(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let moved = move_one(r, c, args[1], args[2], End::Right, End::Left)?;
    reply_moved(c, moved);
    Ok(Flow::Continue)
}

pub(super) fn lmove(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let from = end_arg(args[3])?;
    let to = end_arg(args[4])?;
    let moved = move_one(r, c, args[1], args[2], from, to)?;
    reply_moved(c, moved);
    Ok(Flow::Continue)
}

/// A blocking command's timeout: an absolute deadline, or `None` for 0.
pub(super) fn timeout_arg(arg: &[u8], now: u64) -> Result<Option<u64>, RedisError> {
    let seconds = parse_f64(arg).ok_or(RedisError::TimeoutNotFloat)?;
    let millis = (seconds * 1000.0) as i64;
    if millis < 0 {
        return Err(RedisError::TimeoutNegative);
    }
    if millis == 0 {
        return Ok(None);
    }
    if millis > i64::MAX - now as i64 {
        return Err(RedisError::TimeoutRange);
    }
    Ok(Some(now + millis as u64))
}

fn blocking_pop(r: &mut Redis, c: &mut Call, args: &[&[u8]], end: End) -> Res {
    let deadline = timeout_arg(args[args.len() - 1], c.now)?;
    let keys = &args[1..args.len() - 1];
    for key in keys {
        if list(r, c, key)?.is_some() {
            let popped = pop_n(r, c, key, end, 1);
            c.out.array(2);
            c.out.bulk(key);
            c.out.bulk(&popped[0]);
            return Ok(Flow::Continue);
        }
    }
    if c.nested {
        c.out.null_array();
        return Ok(Flow::Continue);
    }
    r.block(
        c.conn,
        Blocked {
            db: c.db,
            keys: keys.iter().map(|key| key.to_vec()).collect(),
            op: BlockOp::Pop(end),
            deadline,
        },
    );
    Ok(Flow::Blocked { deadline })
}

pub(super) fn blpop(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    blocking_pop(r, c, args, End::Left)
}

pub(super) fn brpop(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    blocking_pop(r, c, args, End::Right)
}

fn blocking_move(
    r: &mut Redis,
    c: &mut Call,
    args: &[&[u8]],
    from: End,
    to: End,
    timeout: &[u8],
) -> Res {
    let deadline = timeout_arg(timeout, c.now)?;
    let (source, dest) = (args[1], args[2]);
    if list(r, c, source)?.is_some() {
        let moved = move_one(r, c, source, dest, from, to)?;
        reply_moved(c, moved);
        return Ok(Flow::Continue);
    }
    if c.nested {
        c.out.null();
        return Ok(Flow::Continue);
    }
    r.block(
        c.conn,
        Blocked {
            db: c.db,
            keys: vec![source.to_vec()],
            op: BlockOp::Move {
                from,
                to,
                dest: dest.to_vec(),
            },
            deadline,
        },
    );
    Ok(Flow::Blocked { deadline })
}

pub(super) fn brpoplpush(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    blocking_move(r, c, args, End::Right, End::Left, args[3])
}

pub(super) fn blmove(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let from = end_arg(args[3])?;
    let to = end_arg(args[4])?;
    blocking_move(r, c, args, from, to, args[5])
}
