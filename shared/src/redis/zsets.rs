//! Sorted sets: kombu indexes each unacknowledged task by the time it was
//! reserved (`unacked_index`), and finds those older than the visibility
//! timeout with `ZRANGE unacked_index <now - timeout> 0 BYSCORE REV`; it
//! also keeps its bindings' deadlines in one.
//!
//! Members are ordered by score, then by their bytes, exactly as in Redis
//! (so replies match byte for byte); −0 and 0 are the same score. A small
//! sorted set (at most 128 members of at most 64 bytes) is what Redis
//! keeps as a listpack, which stores an integral score as an integer: a
//! score of −0 comes back as 0 there, and so it does here. Ranks
//! are found by walking the order, where Redis's skiplist would jump:
//! fine at the sizes a broker's bookkeeping reaches.

use std::{cmp::Ordering, collections::BTreeSet, ops::Bound};

use indexmap::IndexMap;

use super::{
    engine::{Call, Flow, Redis},
    error::RedisError,
    event::EventKind,
    keyspace::{SipBuild, Value},
    memory::ELEMENT_OVERHEAD,
    number::{float_arg, int_arg},
};

type Res = Result<Flow, RedisError>;

/// Redis's `zset-max-listpack-entries`.
const LISTPACK_ENTRIES: usize = 128;
/// Redis's `zset-max-listpack-value`.
const LISTPACK_VALUE: usize = 64;

/// A score: never NaN, ordered with −0 equal to 0.
#[derive(Debug, Clone, Copy)]
pub struct Score(pub f64);

impl PartialEq for Score {
    fn eq(&self, other: &Score) -> bool {
        self.0 == other.0
    }
}
impl Eq for Score {}
impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Score) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Score {
    fn cmp(&self, other: &Score) -> Ordering {
        self.0.partial_cmp(&other.0).unwrap_or(Ordering::Equal)
    }
}

/// A sorted set with its accounted size.
#[derive(Debug, Clone)]
pub struct SortedSet {
    scores: IndexMap<Vec<u8>, f64, SipBuild>,
    order: BTreeSet<(Score, Vec<u8>)>,
    bytes: usize,
    /// Still what Redis would keep as a listpack.
    compact: bool,
}

impl SortedSet {
    fn new(seed: u64) -> SortedSet {
        SortedSet {
            scores: IndexMap::with_hasher(SipBuild::new(seed)),
            order: BTreeSet::new(),
            bytes: 0,
            compact: true,
        }
    }

    pub fn len(&self) -> usize {
        self.scores.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn score(&self, member: &[u8]) -> Option<f64> {
        self.scores.get(member).copied()
    }

    /// Redis's `zsetTypeMaybeConvert`: `adding` members of at most
    /// `longest` bytes are about to be added.
    fn maybe_convert(&mut self, adding: usize, longest: usize) {
        if self.len() + adding > LISTPACK_ENTRIES || longest > LISTPACK_VALUE {
            self.compact = false;
        }
    }

    /// Sets a member's score (adding it if new).
    pub fn insert(&mut self, member: &[u8], score: f64) {
        if self.compact && self.score(member).is_none() {
            self.maybe_convert(1, member.len());
        }
        // A listpack keeps −0 as the integer 0.
        let score = if self.compact && score == 0.0 {
            0.0
        } else {
            score
        };
        match self.scores.get_mut(member) {
            Some(current) => {
                self.order.remove(&(Score(*current), member.to_vec()));
                *current = score;
            }
            None => {
                self.bytes += 2 * member.len() + 8 + 2 * ELEMENT_OVERHEAD;
                self.scores.insert(member.to_vec(), score);
            }
        }
        self.order.insert((Score(score), member.to_vec()));
    }

    /// Removes a member; true if it was there.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match self.scores.swap_remove(member) {
            Some(score) => {
                self.order.remove(&(Score(score), member.to_vec()));
                self.bytes -= 2 * member.len() + 8 + 2 * ELEMENT_OVERHEAD;
                true
            }
            None => false,
        }
    }

    /// Members in order (or reverse order), with scores.
    pub fn iter(&self, reverse: bool) -> Box<dyn Iterator<Item = (&[u8], f64)> + '_> {
        let forward = self
            .order
            .iter()
            .map(|(score, member)| (member.as_slice(), score.0));
        if reverse {
            Box::new(forward.rev())
        } else {
            Box::new(forward)
        }
    }

    /// The 0-based rank of `member`, counted from the lowest (or highest).
    pub fn rank(&self, member: &[u8], reverse: bool) -> Option<usize> {
        let score = self.score(member)?;
        let below = self.order.range(..(Score(score), member.to_vec())).count();
        Some(if reverse {
            self.len() - 1 - below
        } else {
            below
        })
    }

    /// Members within a score range, in order.
    fn in_score_range<'a>(
        &'a self,
        range: &'a ScoreRange,
    ) -> impl Iterator<Item = (&'a [u8], f64)> + 'a {
        self.order
            .range((
                Bound::Included((Score(range.min), Vec::new())),
                Bound::Unbounded,
            ))
            .take_while(move |(score, _)| range.below_max(score.0))
            .filter(move |(score, _)| range.above_min(score.0))
            .map(|(score, member)| (member.as_slice(), score.0))
    }
}

/// A score interval as ZRANGEBYSCORE reads it (`(` makes an end open).
#[derive(Debug, Clone, Copy)]
pub struct ScoreRange {
    pub min: f64,
    pub max: f64,
    pub min_open: bool,
    pub max_open: bool,
}

impl ScoreRange {
    fn above_min(&self, score: f64) -> bool {
        if self.min_open {
            score > self.min
        } else {
            score >= self.min
        }
    }

    fn below_max(&self, score: f64) -> bool {
        if self.max_open {
            score < self.max
        } else {
            score <= self.max
        }
    }

    fn is_empty(&self) -> bool {
        self.min > self.max || (self.min == self.max && (self.min_open || self.max_open))
    }

    fn contains(&self, score: f64) -> bool {
        self.above_min(score) && self.below_max(score)
    }
}

/// `strtod` as `zslParseRange` uses it, without Redis's usual extra
/// checks: leading blanks are skipped, an empty argument is 0, overflow
/// is infinity; only trailing garbage and NaN are refused.
fn lenient_float(bytes: &[u8]) -> Option<f64> {
    if bytes.is_empty() {
        return Some(0.0);
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let trimmed = text.trim_start_matches([' ', '\t', '\n', '\x0b', '\x0c', '\r']);
    if trimmed.is_empty() || trimmed.starts_with(['+', '-']) && trimmed[1..].starts_with(['+', '-'])
    {
        return None;
    }
    let value: f64 = trimmed.parse().ok()?;
    (!value.is_nan()).then_some(value)
}

fn score_bound(arg: &[u8]) -> Option<(f64, bool)> {
    match arg.strip_prefix(b"(") {
        Some(rest) => Some((lenient_float(rest)?, true)),
        None => Some((lenient_float(arg)?, false)),
    }
}

/// Redis's `zslParseRange`.
pub fn parse_score_range(min: &[u8], max: &[u8]) -> Result<ScoreRange, RedisError> {
    let (min, min_open) = score_bound(min).ok_or(RedisError::RangeNotFloat)?;
    let (max, max_open) = score_bound(max).ok_or(RedisError::RangeNotFloat)?;
    Ok(ScoreRange {
        min,
        max,
        min_open,
        max_open,
    })
}

/// One end of a lexicographic range.
#[derive(Debug, Clone)]
enum LexBound {
    Min,
    Max,
    Open(Vec<u8>),
    Closed(Vec<u8>),
}

fn lex_bound(arg: &[u8]) -> Result<LexBound, RedisError> {
    match arg {
        b"-" => Ok(LexBound::Min),
        b"+" => Ok(LexBound::Max),
        [b'(', rest @ ..] => Ok(LexBound::Open(rest.to_vec())),
        [b'[', rest @ ..] => Ok(LexBound::Closed(rest.to_vec())),
        _ => Err(RedisError::RangeNotLex),
    }
}

#[derive(Debug, Clone)]
struct LexRange {
    min: LexBound,
    max: LexBound,
}

impl LexRange {
    fn parse(min: &[u8], max: &[u8]) -> Result<LexRange, RedisError> {
        Ok(LexRange {
            min: lex_bound(min)?,
            max: lex_bound(max)?,
        })
    }

    /// Redis's `sdscmplex` between the two ends: whether no member can
    /// be inside.
    fn is_empty(&self) -> bool {
        let rank = |bound: &LexBound| match bound {
            LexBound::Min => (0, Vec::new()),
            LexBound::Max => (2, Vec::new()),
            LexBound::Open(m) | LexBound::Closed(m) => (1, m.clone()),
        };
        let open = |bound: &LexBound| !matches!(bound, LexBound::Closed(_));
        match rank(&self.min).cmp(&rank(&self.max)) {
            Ordering::Greater => true,
            Ordering::Equal => open(&self.min) || open(&self.max),
            Ordering::Less => false,
        }
    }

    fn above_min(&self, member: &[u8]) -> bool {
        match &self.min {
            LexBound::Min => true,
            LexBound::Max => false,
            LexBound::Open(m) => member > m.as_slice(),
            LexBound::Closed(m) => member >= m.as_slice(),
        }
    }

    fn below_max(&self, member: &[u8]) -> bool {
        match &self.max {
            LexBound::Min => false,
            LexBound::Max => true,
            LexBound::Open(m) => member < m.as_slice(),
            LexBound::Closed(m) => member <= m.as_slice(),
        }
    }

    /// The members a lexicographic range walk visits, as Redis walks it:
    /// from the first member (in score order) at or above the minimum
    /// (the last at or below the maximum when reversed), skipping
    /// `offset`, then while members stay inside. With members of equal
    /// scores (what lex ranges are for) that is the range; with mixed
    /// scores it is whatever Redis answers.
    fn walk<'a>(
        &self,
        set: &'a SortedSet,
        reverse: bool,
        offset: i64,
        limit: i64,
    ) -> Vec<(&'a [u8], f64)> {
        let all: Vec<(&[u8], f64)> = set.iter(false).collect();
        let (Some(first), Some(last)) = (all.first(), all.last()) else {
            return Vec::new();
        };
        if self.is_empty() || !self.above_min(last.0) || !self.below_max(first.0) {
            return Vec::new();
        }
        let ordered: Vec<(&[u8], f64)> = if reverse {
            all.into_iter().rev().collect()
        } else {
            all
        };
        let start = if reverse {
            ordered.iter().position(|(m, _)| self.below_max(m))
        } else {
            ordered.iter().position(|(m, _)| self.above_min(m))
        };
        let Some(start) = start else {
            return Vec::new();
        };
        let inside = |m: &[u8]| {
            if reverse {
                self.above_min(m)
            } else {
                self.below_max(m)
            }
        };
        if !inside(ordered[start].0) || offset < 0 {
            return Vec::new();
        }
        let limit = if limit < 0 {
            usize::MAX
        } else {
            limit as usize
        };
        ordered[start..]
            .iter()
            .skip(offset as usize)
            .take(limit)
            .take_while(|(m, _)| inside(m))
            .copied()
            .collect()
    }

    fn contains(&self, member: &[u8]) -> bool {
        let above = match &self.min {
            LexBound::Min => true,
            LexBound::Max => false,
            LexBound::Open(m) => member > m.as_slice(),
            LexBound::Closed(m) => member >= m.as_slice(),
        };
        let below = match &self.max {
            LexBound::Min => false,
            LexBound::Max => true,
            LexBound::Open(m) => member < m.as_slice(),
            LexBound::Closed(m) => member <= m.as_slice(),
        };
        above && below
    }
}

/// The sorted set at `key`: `None` if absent, WRONGTYPE if not one.
fn zset<'a>(r: &'a mut Redis, c: &Call, key: &[u8]) -> Result<Option<&'a SortedSet>, RedisError> {
    match r.dbs[c.db].get(key, c.now) {
        None => Ok(None),
        Some(entry) => match &entry.value {
            Value::ZSet(zset) => Ok(Some(zset)),
            _ => Err(RedisError::WrongType),
        },
    }
}

/// What adding one member did (Redis's `ZADD_OUT_*` flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    New,
    Updated,
    Unchanged,
    Nop,
}

/// ZADD's options.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct ZaddFlags {
    pub nx: bool,
    pub xx: bool,
    pub gt: bool,
    pub lt: bool,
    pub incr: bool,
}

/// Redis's `zsetAdd` for one member; the new score, or NaN error.
fn zset_add(
    set: &mut SortedSet,
    member: &[u8],
    score: f64,
    flags: ZaddFlags,
) -> Result<(Outcome, f64), RedisError> {
    match set.score(member) {
        Some(current) => {
            if flags.nx {
                return Ok((Outcome::Nop, current));
            }
            let score = if flags.incr { score + current } else { score };
            if score.is_nan() {
                return Err(RedisError::ScoreNan);
            }
            if (flags.lt && score >= current) || (flags.gt && score <= current) {
                return Ok((Outcome::Nop, current));
            }
            if score != current {
                set.insert(member, score);
                Ok((Outcome::Updated, score))
            } else {
                Ok((Outcome::Unchanged, score))
            }
        }
        None if !flags.xx => {
            set.insert(member, score);
            Ok((Outcome::New, score))
        }
        None => Ok((Outcome::Nop, score)),
    }
}

/// Adds score/member pairs to the sorted set at `key` (creating it);
/// (added, updated, processed, last score).
pub(super) fn add_members(
    r: &mut Redis,
    c: &Call,
    key: &[u8],
    pairs: &[(f64, &[u8])],
    flags: ZaddFlags,
) -> Result<(usize, usize, usize, f64), RedisError> {
    let exists = zset(r, c, key)?.is_some();
    if !exists && flags.xx {
        return Ok((0, 0, 0, 0.0));
    }
    let seed = r.seed() ^ 0x7a73_6574;
    let mut entry = r.dbs[c.db].get_or_insert(key, c.now, || Value::ZSet(SortedSet::new(seed)));
    let Value::ZSet(set) = &mut entry.value else {
        unreachable!("checked to be a sorted set above");
    };
    let longest = pairs
        .iter()
        .map(|(_, member)| member.len())
        .max()
        .unwrap_or(0);
    set.maybe_convert(pairs.len(), longest);
    let (mut added, mut updated, mut processed, mut last) = (0, 0, 0, 0.0);
    let mut changed: Vec<(&[u8], f64)> = Vec::new();
    let mut failure = None;
    for &(score, member) in pairs {
        match zset_add(set, member, score, flags) {
            Ok((outcome, new_score)) => {
                match outcome {
                    Outcome::New => added += 1,
                    Outcome::Updated => updated += 1,
                    _ => {}
                }
                if outcome != Outcome::Nop {
                    processed += 1;
                    last = new_score;
                }
                if matches!(outcome, Outcome::New | Outcome::Updated) {
                    changed.push((member, new_score));
                }
            }
            Err(error) => {
                failure = Some(error);
                break;
            }
        }
    }
    drop(entry);
    if added + updated > 0 {
        r.touch_key(c.db, key);
    }
    for (member, score) in changed {
        let text = super::number::g17(score);
        r.event(EventKind::ZAdd, c.conn, c.db, key, member, &text, 0);
    }
    match failure {
        Some(error) => Err(error),
        None => Ok((added, updated, processed, last)),
    }
}

fn zadd_generic(r: &mut Redis, c: &mut Call, args: &[&[u8]], mut flags: ZaddFlags) -> Res {
    let mut at = 2;
    let mut ch = false;
    while at < args.len() {
        match args[at].to_ascii_lowercase().as_slice() {
            b"nx" => flags.nx = true,
            b"xx" => flags.xx = true,
            b"ch" => ch = true,
            b"incr" => flags.incr = true,
            b"gt" => flags.gt = true,
            b"lt" => flags.lt = true,
            _ => break,
        }
        at += 1;
    }
    let rest = &args[at..];
    if rest.is_empty() || rest.len() % 2 == 1 {
        return Err(RedisError::Syntax);
    }
    if flags.nx && flags.xx {
        return Err(RedisError::XxAndNx);
    }
    if (flags.nx && (flags.gt || flags.lt)) || (flags.gt && flags.lt) {
        return Err(RedisError::GtLtNx);
    }
    if flags.incr && rest.len() > 2 {
        return Err(RedisError::IncrPair);
    }
    let mut pairs = Vec::with_capacity(rest.len() / 2);
    for pair in rest.chunks(2) {
        pairs.push((float_arg(pair[0])?, pair[1]));
    }
    let (added, updated, processed, last) = add_members(r, c, args[1], &pairs, flags)?;
    if flags.incr {
        if processed > 0 {
            c.out.double(last);
        } else {
            c.out.null();
        }
    } else {
        c.out.int((if ch { added + updated } else { added }) as i64);
    }
    Ok(Flow::Continue)
}

pub(super) fn zadd(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    zadd_generic(r, c, args, ZaddFlags::default())
}

pub(super) fn zincrby(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let flags = ZaddFlags {
        incr: true,
        ..ZaddFlags::default()
    };
    zadd_generic(r, c, args, flags)
}

/// Removes members; how many were there.
pub(super) fn remove_members(
    r: &mut Redis,
    c: &Call,
    key: &[u8],
    members: &[&[u8]],
) -> Result<usize, RedisError> {
    if zset(r, c, key)?.is_none() {
        return Ok(0);
    }
    let mut entry = r.dbs[c.db].get_mut(key, c.now).expect("checked");
    let Value::ZSet(set) = &mut entry.value else {
        unreachable!("checked to be a sorted set above");
    };
    let mut removed: Vec<&[u8]> = Vec::new();
    for member in members {
        if set.remove(member) {
            removed.push(member);
        }
        if set.is_empty() {
            break;
        }
    }
    drop(entry);
    r.dbs[c.db].remove_if_empty(key);
    if !removed.is_empty() {
        r.touch_key(c.db, key);
        for member in &removed {
            r.event(EventKind::ZRemove, c.conn, c.db, key, member, b"", 0);
        }
    }
    Ok(removed.len())
}

pub(super) fn zrem(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let removed = remove_members(r, c, args[1], &args[2..])?;
    c.out.int(removed as i64);
    Ok(Flow::Continue)
}

pub(super) fn zscore(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    match zset(r, c, args[1])?.and_then(|set| set.score(args[2])) {
        Some(score) => c.out.double(score),
        None => c.out.null(),
    }
    Ok(Flow::Continue)
}

pub(super) fn zmscore(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let scores: Vec<Option<f64>> = {
        let found = zset(r, c, args[1])?;
        args[2..]
            .iter()
            .map(|member| found.and_then(|set| set.score(member)))
            .collect()
    };
    c.out.array(scores.len());
    for score in scores {
        match score {
            Some(score) => c.out.double(score),
            None => c.out.null(),
        }
    }
    Ok(Flow::Continue)
}

pub(super) fn zcard(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let count = zset(r, c, args[1])?.map_or(0, SortedSet::len);
    c.out.int(count as i64);
    Ok(Flow::Continue)
}

pub(super) fn zcount(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let range = parse_score_range(args[2], args[3])?;
    let count = match zset(r, c, args[1])? {
        Some(set) if !range.is_empty() => set.in_score_range(&range).count(),
        _ => 0,
    };
    c.out.int(count as i64);
    Ok(Flow::Continue)
}

pub(super) fn zlexcount(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let range = LexRange::parse(args[2], args[3])?;
    let count = zset(r, c, args[1])?.map_or(0, |set| {
        set.iter(false)
            .filter(|(member, _)| range.contains(member))
            .count()
    });
    c.out.int(count as i64);
    Ok(Flow::Continue)
}

fn rank_generic(r: &mut Redis, c: &mut Call, args: &[&[u8]], reverse: bool) -> Res {
    match zset(r, c, args[1])?.and_then(|set| set.rank(args[2], reverse)) {
        Some(rank) => c.out.int(rank as i64),
        None => c.out.null(),
    }
    Ok(Flow::Continue)
}

pub(super) fn zrank(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    rank_generic(r, c, args, false)
}

pub(super) fn zrevrank(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    rank_generic(r, c, args, true)
}

/// How ZRANGE picks its members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RangeBy {
    Auto,
    Rank,
    Score,
    Lex,
}

/// Replies members (with scores if asked) in RESP2's flat or RESP3's
/// nested form.
fn reply_members(c: &mut Call, members: &[(Vec<u8>, f64)], with_scores: bool) {
    if with_scores && c.out.resp3() {
        c.out.array(members.len());
        for (member, score) in members {
            c.out.array(2);
            c.out.bulk(member);
            c.out.double(*score);
        }
    } else if with_scores {
        c.out.array(members.len() * 2);
        for (member, score) in members {
            c.out.bulk(member);
            c.out.double(*score);
        }
    } else {
        c.out.array(members.len());
        for (member, _) in members {
            c.out.bulk(member);
        }
    }
}

/// Applies LIMIT offset count as Redis's range walks do: a negative
/// offset skips everything, a negative count means no limit.
fn limited(
    members: impl Iterator<Item = (Vec<u8>, f64)>,
    offset: i64,
    limit: i64,
) -> Vec<(Vec<u8>, f64)> {
    if offset < 0 {
        return Vec::new();
    }
    let taken = members.skip(offset as usize);
    if limit < 0 {
        taken.collect()
    } else {
        taken.take(limit as usize).collect()
    }
}

/// Redis's `zrangeGenericCommand`.
fn zrange_generic(
    r: &mut Redis,
    c: &mut Call,
    args: &[&[u8]],
    mut by: RangeBy,
    mut reverse: Option<bool>,
) -> Res {
    let (mut with_scores, mut offset, mut limit) = (false, 0i64, -1i64);
    let mut has_limit = false;
    let mut j = 4;
    while j < args.len() {
        let left = args.len() - j - 1;
        match args[j].to_ascii_lowercase().as_slice() {
            b"withscores" => with_scores = true,
            b"limit" if left >= 2 => {
                offset = int_arg(args[j + 1])?;
                limit = int_arg(args[j + 2])?;
                has_limit = true;
                j += 2;
            }
            b"rev" if reverse.is_none() => reverse = Some(true),
            b"bylex" if by == RangeBy::Auto => by = RangeBy::Lex,
            b"byscore" if by == RangeBy::Auto => by = RangeBy::Score,
            _ => return Err(RedisError::Syntax),
        }
        j += 1;
    }
    let reverse = reverse.unwrap_or(false);
    if by == RangeBy::Auto {
        by = RangeBy::Rank;
    }
    if has_limit && limit != -1 && by == RangeBy::Rank {
        return Err(RedisError::LimitWithRank);
    }
    if with_scores && by == RangeBy::Lex {
        return Err(RedisError::WithScoresWithLex);
    }
    let (mut min_arg, mut max_arg) = (args[2], args[3]);
    if reverse && by != RangeBy::Rank {
        std::mem::swap(&mut min_arg, &mut max_arg);
    }
    enum Parsed {
        Rank(i64, i64),
        Score(ScoreRange),
        Lex(LexRange),
    }
    let parsed = match by {
        RangeBy::Score => Parsed::Score(parse_score_range(min_arg, max_arg)?),
        RangeBy::Lex => Parsed::Lex(LexRange::parse(min_arg, max_arg)?),
        _ => Parsed::Rank(int_arg(min_arg)?, int_arg(max_arg)?),
    };
    let Some(set) = zset(r, c, args[1])? else {
        c.out.array(0);
        return Ok(Flow::Continue);
    };
    let members: Vec<(Vec<u8>, f64)> = match parsed {
        Parsed::Rank(mut start, mut end) => {
            let length = set.len() as i64;
            if start < 0 {
                start += length;
            }
            if end < 0 {
                end += length;
            }
            start = start.max(0);
            if start > end || start >= length {
                Vec::new()
            } else {
                end = end.min(length - 1);
                set.iter(reverse)
                    .skip(start as usize)
                    .take((end - start + 1) as usize)
                    .map(|(m, s)| (m.to_vec(), s))
                    .collect()
            }
        }
        Parsed::Score(range) => {
            if offset > 0 && offset >= set.len() as i64 {
                Vec::new()
            } else {
                let inside = set
                    .iter(reverse)
                    .filter(|(_, score)| range.contains(*score))
                    .map(|(m, s)| (m.to_vec(), s));
                limited(inside, offset, limit)
            }
        }
        Parsed::Lex(range) => {
            if offset > 0 && offset >= set.len() as i64 {
                Vec::new()
            } else {
                range
                    .walk(set, reverse, offset, limit)
                    .into_iter()
                    .map(|(m, s)| (m.to_vec(), s))
                    .collect()
            }
        }
    };
    reply_members(c, &members, with_scores);
    Ok(Flow::Continue)
}

pub(super) fn zrange(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    zrange_generic(r, c, args, RangeBy::Auto, None)
}

pub(super) fn zrevrange(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    zrange_generic(r, c, args, RangeBy::Rank, Some(true))
}

pub(super) fn zrangebyscore(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    zrange_generic(r, c, args, RangeBy::Score, Some(false))
}

pub(super) fn zrevrangebyscore(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    zrange_generic(r, c, args, RangeBy::Score, Some(true))
}

pub(super) fn zrangebylex(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    zrange_generic(r, c, args, RangeBy::Lex, Some(false))
}

pub(super) fn zrevrangebylex(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    zrange_generic(r, c, args, RangeBy::Lex, Some(true))
}

/// Members of the set at `key` chosen by `pick`, removed; how many.
fn remove_where(
    r: &mut Redis,
    c: &Call,
    key: &[u8],
    pick: impl Fn(&SortedSet) -> Vec<Vec<u8>>,
) -> Result<usize, RedisError> {
    let doomed = match zset(r, c, key)? {
        Some(set) => pick(set),
        None => return Ok(0),
    };
    let doomed: Vec<&[u8]> = doomed.iter().map(Vec::as_slice).collect();
    remove_members(r, c, key, &doomed)
}

pub(super) fn zremrangebyscore(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let range = parse_score_range(args[2], args[3])?;
    let removed = remove_where(r, c, args[1], |set| {
        if range.is_empty() {
            return Vec::new();
        }
        set.in_score_range(&range)
            .map(|(m, _)| m.to_vec())
            .collect()
    })?;
    c.out.int(removed as i64);
    Ok(Flow::Continue)
}

pub(super) fn zremrangebyrank(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let start = int_arg(args[2])?;
    let end = int_arg(args[3])?;
    let removed = remove_where(r, c, args[1], |set| {
        let length = set.len() as i64;
        let (mut start, mut end) = (start, end);
        if start < 0 {
            start += length;
        }
        if end < 0 {
            end += length;
        }
        start = start.max(0);
        if start > end || start >= length {
            return Vec::new();
        }
        end = end.min(length - 1);
        set.iter(false)
            .skip(start as usize)
            .take((end - start + 1) as usize)
            .map(|(m, _)| m.to_vec())
            .collect()
    })?;
    c.out.int(removed as i64);
    Ok(Flow::Continue)
}

fn pop_generic(r: &mut Redis, c: &mut Call, args: &[&[u8]], highest: bool) -> Res {
    if args.len() > 3 {
        return Err(RedisError::Syntax);
    }
    let count = match args.get(2) {
        None => None,
        Some(arg) => match int_arg(arg) {
            Ok(n) if n >= 0 => Some(n as usize),
            _ => return Err(RedisError::NotPositive),
        },
    };
    let key = args[1];
    let exists = zset(r, c, key)?.is_some();
    if count == Some(0) || !exists {
        c.out.array(0);
        return Ok(Flow::Continue);
    }
    let popped: Vec<(Vec<u8>, f64)> = match zset(r, c, key)? {
        None => Vec::new(),
        Some(set) => set
            .iter(highest)
            .take(count.unwrap_or(1))
            .map(|(m, s)| (m.to_vec(), s))
            .collect(),
    };
    let members: Vec<&[u8]> = popped.iter().map(|(m, _)| m.as_slice()).collect();
    remove_members(r, c, key, &members)?;
    let nested = c.out.resp3() && count.is_some();
    if nested {
        c.out.array(popped.len());
        for (member, score) in &popped {
            c.out.array(2);
            c.out.bulk(member);
            c.out.double(*score);
        }
    } else {
        c.out.array(popped.len() * 2);
        for (member, score) in &popped {
            c.out.bulk(member);
            c.out.double(*score);
        }
    }
    Ok(Flow::Continue)
}

pub(super) fn zpopmin(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    pop_generic(r, c, args, false)
}

pub(super) fn zpopmax(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    pop_generic(r, c, args, true)
}
