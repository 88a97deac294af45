//! The item rules of memcached 1.6's meta commands (`mg`, `ms`, `md`,
//! `ma`), beside the classic ones in `store.rs`: vivify on miss, the win /
//! already-won / stale marks against the thundering herd, invalidation
//! that marks an item stale instead of deleting it, and the cas rules that
//! go with them. memcached's `proto_text.c` and `do_store_item` are the
//! reference; the server's `memcached/meta.rs` only parses and formats.
//!
//! memcached applies an item-changing flag (`T`, `N`, `R`) and reports `t`
//! at the flag's place in the command line, so `mg k t T30` reports the TTL
//! from before the touch and `mg k T30 t` the new one: the flags come here
//! as [`Step`]s in the client's order.

use super::{Arith, Cache, ItemView, StoreMode, StoreOutcome, item_size};
use crate::cache::{
    event::{ConnId, DeleteCmd, EventKind, GetStatus, Logged, StoreCmd, StoreStatus},
    expiry,
    lru::Entry,
};

/// A flag of `mg` or `ma` that acts on the item or reads its TTL, in the
/// order the client gave it (each at most once: memcached refuses a
/// repeated flag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// `T`: a new expiry time.
    Touch(i64),
    /// `N`: create the item on a miss; the exptime applies to a created item.
    Vivify(i64),
    /// `R`: hand out the win when the item expires before this exptime.
    Recache(i64),
    /// `t`: report the remaining TTL as it is at this point.
    ReportTtl,
}

/// What `mg` asks for beyond a read.
#[derive(Debug, Clone, Copy, Default)]
pub struct MetaGet<'s> {
    pub steps: &'s [Step],
    /// `u`: leave the item where it is in the LRU and unmarked as read.
    pub no_bump: bool,
}

/// What `mg` found.
#[derive(Debug, Clone, Copy)]
pub struct MetaHit<'a> {
    pub item: ItemView<'a>,
    /// The TTL at the `t` step, when there was one.
    pub ttl: Option<i64>,
    /// `W`: this client won the right to recompute the value.
    pub won: bool,
    /// `Z`: another client was handed the win already.
    pub already_won: bool,
    /// `X`: the item was marked stale.
    pub stale: bool,
}

/// The answer to `md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetaDeleted {
    /// The item is gone.
    Deleted,
    /// `I`: the item stays, marked stale with a new cas unique.
    Invalidated,
    NotFound,
    /// `C`: the item's cas unique differs.
    Exists,
}

/// The answer to `ma`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetaArith {
    /// The new value, its cas unique, the TTL at the `t` step, and whether
    /// `N` created the item.
    Value {
        value: u64,
        cas: u64,
        ttl: Option<i64>,
        created: bool,
    },
    NotFound,
    /// `C`: the item's cas unique differs.
    Exists,
    NonNumeric,
    /// `N` could not make room for the new item.
    OutOfMemory,
}

/// What `ms` asks for beyond a store.
#[derive(Debug, Clone, Copy, Default)]
pub struct MetaSet {
    /// `C`: the cas unique the client read.
    pub compare: Option<u64>,
    /// `I`: with `C`, a lower cas unique still stores, marking the item
    /// stale (a late writer's value is kept but flagged for recompute).
    pub invalidate: bool,
    /// `b`: the key came base64-encoded.
    pub key_binary: bool,
}

impl Cache {
    /// `mg`: a read that may create a placeholder (`N`), touch (`T`), hand
    /// out the win (`W` on a created, stale or soon-expiring item) or say
    /// that someone else has it (`Z`). `None` is a miss.
    pub fn meta_get(
        &mut self,
        key: &[u8],
        get: &MetaGet<'_>,
        now: u64,
        conn: ConnId,
    ) -> Option<MetaHit<'_>> {
        self.tick(now);
        let touches = get.steps.iter().any(|s| matches!(s, Step::Touch(_)));
        let vivify = get.steps.iter().any(|s| matches!(s, Step::Vivify(_)));
        let mut created = false;
        let slot = match self.find_live(key, now, conn, true) {
            Some(slot) => slot,
            None if vivify => {
                // An empty placeholder that never expires until the N step
                // gives it its exptime. As in memcached 1.6.18 it does not
                // remember a base64 key: `k` answers it decoded.
                let entry = Entry::new(key, b"", 0, None, 0);
                match self.insert(entry, now, conn) {
                    StoreOutcome::Stored(_) => {
                        created = true;
                        self.lru.find(key).expect("just inserted")
                    }
                    // No room even for an empty item: a plain miss.
                    _ => {
                        self.count_read(touches, false);
                        self.emit(EventKind::Miss, key, 0, conn);
                        return None;
                    }
                }
            }
            None => {
                self.count_read(touches, false);
                self.emit(EventKind::Miss, key, 0, conn);
                return None;
            }
        };
        self.count_read(touches, true);
        // memcached counts an mg hit in the item's class as stats slabs'
        // touch_hits (with T) or get_hits.
        self.count_in_class(slot, |class| {
            if touches {
                class.touch_hits += 1;
            } else {
                class.get_hits += 1;
            }
        });
        let entry = self.lru.get_mut(slot);
        let fetched_before = entry.fetched;
        let moved_before = entry.moved_at();
        let mut won = false;
        let mut ttl = None;
        for step in get.steps {
            match *step {
                Step::Touch(exptime) => entry.set_expires_at(expiry::resolve(exptime, now)),
                Step::Vivify(exptime) => {
                    if created {
                        entry.set_expires_at(expiry::resolve(exptime, now));
                        won = true;
                    }
                }
                Step::Recache(exptime) => {
                    let sooner = match (entry.expires_at(), expiry::resolve(exptime, now)) {
                        (Some(at), Some(limit)) => at < limit,
                        _ => false,
                    };
                    if !entry.marks.win_sent() && !created && sooner {
                        won = true;
                    }
                }
                Step::ReportTtl => ttl = Some(expiry::remaining(entry.expires_at(), now)),
            }
        }
        // memcached's order: Z says an earlier client holds the win; a
        // stale item nobody has won yet is won by this reader.
        let already_won = entry.marks.win_sent();
        let stale = entry.marks.stale();
        if stale && !already_won {
            won = true;
        }
        if won {
            entry.marks.set_win_sent(true);
        }
        let size = item_size(entry.key().len(), entry.value().len());
        if get.no_bump {
            self.emit_use(EventKind::Hit, key, size, conn, false);
        } else {
            self.hit(slot, now, conn);
        }
        let entry = self.lru.get(slot);
        Some(MetaHit {
            item: ItemView::of(entry, fetched_before, moved_before),
            ttl,
            won,
            already_won,
            stale,
        })
    }

    /// `ms`: a store in one of the classic modes with memcached 1.6.18's
    /// meta cas rules: `C` turns set and replace into cas, append and
    /// prepend check it themselves, add ignores it; with `I`, a cas unique
    /// lower than the item's stores anyway and marks the item stale,
    /// keeping its expiry and whether a win was handed out.
    // The arguments are exactly the protocol's fields.
    #[allow(clippy::too_many_arguments)]
    pub fn meta_set(
        &mut self,
        mode: StoreMode,
        key: &[u8],
        value: &[u8],
        flags: u32,
        exptime: i64,
        set: &MetaSet,
        now: u64,
        conn: ConnId,
    ) -> StoreOutcome {
        self.tick(now);
        let current = self.find_quiet(key, now, conn);
        let current_cas = current.map(|slot| self.lru.get(slot).cas);
        let mode = match (mode, set.compare) {
            (StoreMode::Set | StoreMode::Replace, Some(unique)) => StoreMode::Cas(unique),
            (mode, _) => mode,
        };
        match (mode, set.compare, current_cas) {
            (StoreMode::Append | StoreMode::Prepend, Some(unique), Some(cas))
                if unique != 0 && unique != cas =>
            {
                self.log_found(key, current, conn);
                let log = Logged::Store {
                    status: StoreStatus::Exists,
                    cmd: StoreCmd::of(mode),
                    ttl: expiry::resolve(exptime, now).map_or(0, |at| at.saturating_sub(now)),
                    value_len: value.len() as u64,
                };
                self.log(key, conn, log);
                return StoreOutcome::Exists;
            }
            (StoreMode::Cas(unique), _, Some(cas))
                if set.invalidate && unique != 0 && unique < cas =>
            {
                let slot = current.expect("a cas means an item");
                let old = self.lru.get(slot);
                let mut entry = Entry::new(key, value, flags, old.expires_at(), 0);
                entry.marks = old.marks;
                entry.marks.set_stale(true);
                entry.marks.set_key_binary(set.key_binary);
                if item_size(key.len(), value.len()) > self.item_size_max {
                    self.unlink(slot);
                    return StoreOutcome::TooLarge;
                }
                self.log_found(key, current, conn);
                self.stats.cmd_set += 1;
                self.stats.cas_hits += 1;
                self.count_in_class(slot, |class| class.cas_hits += 1);
                let ttl = entry.expires_at().map_or(0, |at| at.saturating_sub(now));
                self.unlink(slot);
                let outcome = self.insert(entry, now, conn);
                let log = Logged::Store {
                    status: StoreStatus::of(outcome),
                    cmd: StoreCmd::Cas,
                    ttl,
                    value_len: value.len() as u64,
                };
                self.log(key, conn, log);
                return outcome;
            }
            _ => {}
        }
        let outcome = self.store(mode, key, value, flags, exptime, now, conn);
        let appended = matches!(mode, StoreMode::Append | StoreMode::Prepend);
        if let (StoreOutcome::Stored(_), false, true) = (outcome, appended, set.key_binary)
            && let Some(slot) = self.lru.find(key)
        {
            // memcached's append builds a new item without the old one's
            // marks; every other mode stores the item the client sent.
            self.lru.get_mut(slot).marks.set_key_binary(true);
        }
        outcome
    }

    /// `md`: deletes, or with `I` (`invalidate`, carrying `T`'s exptime if
    /// any) marks the item stale with a new cas unique and forgets any win
    /// handed out, so that the next reader wins the recompute.
    pub fn meta_delete(
        &mut self,
        key: &[u8],
        compare: Option<u64>,
        invalidate: Option<Option<i64>>,
        now: u64,
        conn: ConnId,
    ) -> MetaDeleted {
        self.tick(now);
        let current = self.find_quiet(key, now, conn);
        let Some(slot) = current else {
            self.log_found(key, None, conn);
            self.stats.delete_misses += 1;
            return MetaDeleted::NotFound;
        };
        if compare.is_some_and(|unique| unique != self.lru.get(slot).cas) {
            self.log_found(key, current, conn);
            self.stats.delete_misses += 1;
            return MetaDeleted::Exists;
        }
        let Some(exptime) = invalidate else {
            self.delete_as(DeleteCmd::Md, key, now, conn);
            return MetaDeleted::Deleted;
        };
        self.log_found(key, current, conn);
        self.last_cas += 1;
        let cas = self.last_cas;
        let entry = self.lru.get_mut(slot);
        if let Some(exptime) = exptime {
            entry.set_expires_at(expiry::resolve(exptime, now));
        }
        entry.marks.set_stale(true);
        entry.marks.set_win_sent(false);
        entry.cas = cas;
        MetaDeleted::Invalidated
    }

    /// `ma`: incr/decr with `C` (compare), `N` (create from `initial` on a
    /// miss), and `T`/`N`/`t` applied in the client's order. (memcached
    /// 1.6.18 loses `T` when it has to replace the item, as when the number
    /// grows longer or another connection holds it; here `T` always
    /// applies, as its protocol.txt says.)
    // The arguments are exactly the protocol's fields.
    #[allow(clippy::too_many_arguments)]
    pub fn meta_arith(
        &mut self,
        key: &[u8],
        incr: bool,
        delta: u64,
        compare: Option<u64>,
        initial: Option<u64>,
        steps: &[Step],
        now: u64,
        conn: ConnId,
    ) -> MetaArith {
        self.tick(now);
        let vivify = steps.iter().any(|s| matches!(s, Step::Vivify(_)));
        let current = self.find_quiet(key, now, conn);
        let (value, cas, created) = match current {
            Some(slot) => {
                let entry = self.lru.get(slot);
                if entry.value().is_empty() {
                    self.log_found(key, current, conn);
                    return MetaArith::NonNumeric;
                }
                if compare.is_some_and(|unique| unique != 0 && unique != entry.cas) {
                    self.log_found(key, current, conn);
                    return MetaArith::Exists;
                }
                match self.incr_decr(key, delta, incr, now, conn) {
                    Arith::Value(value, cas) => (value, cas, false),
                    Arith::NotFound => return MetaArith::NotFound,
                    Arith::NonNumeric => return MetaArith::NonNumeric,
                }
            }
            None if vivify => {
                // memcached looks twice: the increment's lookup, then the
                // add's.
                self.log_found(key, None, conn);
                let value = initial.unwrap_or(0);
                let digits = value.to_string();
                match self.store(StoreMode::Add, key, digits.as_bytes(), 0, 0, now, conn) {
                    StoreOutcome::Stored(cas) => (value, cas, true),
                    _ => return MetaArith::OutOfMemory,
                }
            }
            None => {
                // Counted as incr_decr counts a miss.
                return self.incr_decr(key, delta, incr, now, conn).into();
            }
        };
        let mut ttl = None;
        if let Some(slot) = self.lru.find(key) {
            let entry = self.lru.get_mut(slot);
            for step in steps {
                match *step {
                    Step::Touch(exptime) => {
                        entry.set_expires_at(expiry::resolve(exptime, now));
                    }
                    Step::Vivify(exptime) if created => {
                        entry.set_expires_at(expiry::resolve(exptime, now));
                    }
                    Step::ReportTtl => ttl = Some(expiry::remaining(entry.expires_at(), now)),
                    _ => {}
                }
            }
        }
        MetaArith::Value {
            value,
            cas,
            ttl,
            created,
        }
    }

    /// The log record of a lookup made quietly first (`find_quiet`).
    fn log_found(&mut self, key: &[u8], slot: Option<super::Slot>, conn: ConnId) {
        let log = match slot {
            Some(slot) => Logged::Get {
                status: GetStatus::Found,
                value_len: self.lru.get(slot).value().len() as u64,
            },
            None => Logged::Get {
                status: GetStatus::NotFound,
                value_len: 0,
            },
        };
        self.log(key, conn, log);
    }

    /// memcached counts an `mg` with `T` as a touch, any other as a get.
    fn count_read(&mut self, touches: bool, hit: bool) {
        if touches {
            self.stats.cmd_touch += 1;
            if hit {
                self.stats.touch_hits += 1;
            } else {
                self.stats.touch_misses += 1;
            }
        } else {
            self.stats.cmd_get += 1;
            if hit {
                self.stats.get_hits += 1;
            } else {
                self.stats.get_misses += 1;
            }
        }
    }
}

impl From<Arith> for MetaArith {
    fn from(arith: Arith) -> MetaArith {
        match arith {
            Arith::Value(value, cas) => MetaArith::Value {
                value,
                cas,
                ttl: None,
                created: false,
            },
            Arith::NotFound => MetaArith::NotFound,
            Arith::NonNumeric => MetaArith::NonNumeric,
        }
    }
}
