//! The cache lab's hands-on operations (`cache_snapshot`, `cache_get`,
//! `cache_set`, `cache_delete`, `cache_touch`, `cache_flush`,
//! `cache_limit`) applied to one node's [`Cache`], with the frame that
//! answers each.
//!
//! Two drivers answer these frames: the server, for its real memcached
//! nodes, and the browser's offline model. Both find the node their own way
//! (a cluster behind locks, a vector in a `RefCell`) and then hand the
//! frame to [`apply`], so a learner sees the same outcome, and the same
//! [`Refusal`], whichever one answered.

use serde::{Deserialize, Serialize};

use super::{Cache, ConnId, KEY_MAX_LENGTH, StoreMode, StoreOutcome, expiry, refusal::Refusal};
use crate::protocol::{CacheFrame, ServerFrame};

/// The smallest memory limit the lab may set on a node.
pub const MIN_LIMIT_BYTES: u64 = 1024;

/// Which operation a `cache_result` answers: the request's type without
/// `cache_`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CacheOp {
    Set,
    Delete,
    Touch,
    Flush,
    Limit,
    Restart,
}

impl CacheOp {
    /// The operation's name on the wire (`set`, `delete` …), which is also
    /// the memcached command a learner would type for it.
    pub fn name(self) -> &'static str {
        match self {
            CacheOp::Set => "set",
            CacheOp::Delete => "delete",
            CacheOp::Touch => "touch",
            CacheOp::Flush => "flush",
            CacheOp::Limit => "limit",
            CacheOp::Restart => "restart",
        }
    }
}

/// memcached's answer to an operation, in lower case on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CacheOutcome {
    Stored,
    NotStored,
    /// A cas whose unique changed (not produced by the lab's plain `set`).
    Exists,
    NotFound,
    /// Over the largest item (1 MiB with overhead).
    TooLarge,
    /// Larger than the node's whole memory limit.
    OutOfMemory,
    Deleted,
    Touched,
    /// Done (flush, limit, restart).
    Ok,
}

impl From<&StoreOutcome> for CacheOutcome {
    fn from(outcome: &StoreOutcome) -> CacheOutcome {
        match outcome {
            StoreOutcome::Stored(_) => CacheOutcome::Stored,
            StoreOutcome::NotStored => CacheOutcome::NotStored,
            StoreOutcome::Exists => CacheOutcome::Exists,
            StoreOutcome::NotFound => CacheOutcome::NotFound,
            StoreOutcome::TooLarge => CacheOutcome::TooLarge,
            StoreOutcome::OutOfMemory => CacheOutcome::OutOfMemory,
        }
    }
}

/// The node a per-node operation addresses, or `None` if `frame` is not
/// one of the operations [`apply`] answers.
pub fn addressed_node(frame: &CacheFrame) -> Option<usize> {
    match frame {
        CacheFrame::Snapshot(request) => Some(request.node),
        CacheFrame::Get(request) | CacheFrame::Delete(request) => Some(request.node),
        CacheFrame::Set(request) => Some(request.node),
        CacheFrame::Touch(request) => Some(request.node),
        CacheFrame::Flush(request) => Some(request.node),
        CacheFrame::Limit(request) => Some(request.node),
        _ => None,
    }
}

/// memcached's rule for keys: 1 to 250 bytes, no spaces or control
/// characters.
pub fn check_key(key: &str) -> Result<(), Refusal> {
    if key.is_empty() || key.len() > KEY_MAX_LENGTH {
        return Err(Refusal::KeyLength { len: key.len() });
    }
    if key.bytes().any(|b| b == b' ' || b.is_ascii_control()) {
        return Err(Refusal::KeyCharacters);
    }
    Ok(())
}

/// The `cache_result` frame.
pub fn result_frame(
    node: usize,
    op: CacheOp,
    key: Option<String>,
    outcome: CacheOutcome,
    id: Option<u64>,
) -> ServerFrame {
    ServerFrame::CacheResult {
        node,
        op,
        key,
        outcome,
        id,
    }
}

/// Applies a per-node operation to the addressed node's `cache` at unix
/// time `now` on behalf of connection `conn`; `None` when `frame` is not
/// one of these operations (the driver answers the others: listing,
/// watching, restarting, the warm-up).
pub fn apply(
    cache: &mut Cache,
    frame: CacheFrame,
    now: u64,
    conn: ConnId,
) -> Option<Result<ServerFrame, Refusal>> {
    let result =
        |node, op, key: Option<String>, outcome, id| Ok(result_frame(node, op, key, outcome, id));
    Some(match frame {
        CacheFrame::Snapshot(request) => {
            let snapshot = cache.snapshot(now, request.max_items.unwrap_or(1000));
            Ok(ServerFrame::CacheSnapshot {
                node: request.node,
                items: snapshot.items,
                truncated: snapshot.truncated,
                stats: snapshot.stats,
                id: request.id,
            })
        }
        CacheFrame::Get(request) => check_key(&request.key).map(|()| {
            let found = cache.get(request.key.as_bytes(), now, conn);
            ServerFrame::CacheValue {
                node: request.node,
                found: found.is_some(),
                value: found
                    .as_ref()
                    .map(|item| String::from_utf8_lossy(item.value).into_owned()),
                flags: found.as_ref().map(|item| item.flags),
                cas: found.as_ref().map(|item| item.cas),
                ttl: found.as_ref().and_then(|item| {
                    item.expires_at
                        .map(|_| expiry::remaining(item.expires_at, now) as u64)
                }),
                key: request.key,
                id: request.id,
            }
        }),
        CacheFrame::Set(request) => match check_key(&request.key) {
            Err(refusal) => Err(refusal),
            Ok(()) => {
                let outcome = cache.store(
                    StoreMode::Set,
                    request.key.as_bytes(),
                    request.value.as_bytes(),
                    request.flags,
                    request.ttl,
                    now,
                    conn,
                );
                let outcome = CacheOutcome::from(&outcome);
                result(
                    request.node,
                    CacheOp::Set,
                    Some(request.key),
                    outcome,
                    request.id,
                )
            }
        },
        CacheFrame::Delete(request) => match check_key(&request.key) {
            Err(refusal) => Err(refusal),
            Ok(()) => {
                let found = cache.delete(request.key.as_bytes(), now, conn);
                let outcome = if found {
                    CacheOutcome::Deleted
                } else {
                    CacheOutcome::NotFound
                };
                let (node, id) = (request.node, request.id);
                result(node, CacheOp::Delete, Some(request.key), outcome, id)
            }
        },
        CacheFrame::Touch(request) => match check_key(&request.key) {
            Err(refusal) => Err(refusal),
            Ok(()) => {
                let found = cache.touch(request.key.as_bytes(), request.ttl, now, conn);
                let outcome = if found {
                    CacheOutcome::Touched
                } else {
                    CacheOutcome::NotFound
                };
                let (node, id) = (request.node, request.id);
                result(node, CacheOp::Touch, Some(request.key), outcome, id)
            }
        },
        CacheFrame::Flush(request) => {
            cache.flush_all(0, now, conn);
            result(
                request.node,
                CacheOp::Flush,
                None,
                CacheOutcome::Ok,
                request.id,
            )
        }
        CacheFrame::Limit(request) => {
            if request.bytes < MIN_LIMIT_BYTES {
                return Some(Err(Refusal::LimitTooSmall {
                    bytes: request.bytes,
                    min: MIN_LIMIT_BYTES,
                }));
            }
            cache.set_limit(request.bytes, now, conn);
            result(
                request.node,
                CacheOp::Limit,
                None,
                CacheOutcome::Ok,
                request.id,
            )
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        lang::Say,
        protocol::{CacheKeyRef, CacheLimit, CacheSet, encode_server_frame},
    };

    fn set(key: &str, value: &str, ttl: i64) -> CacheFrame {
        CacheFrame::Set(CacheSet {
            node: 3,
            key: key.into(),
            value: value.into(),
            ttl,
            flags: 5,
            id: Some(9),
        })
    }

    #[test]
    fn a_set_then_get_answers_with_the_value_flags_and_ttl() {
        let mut cache = Cache::new(1 << 20);
        let stored = apply(&mut cache, set("k", "v", 60), 1_000, 1).unwrap();
        assert!(matches!(
            stored,
            Ok(ServerFrame::CacheResult {
                node: 3,
                op: CacheOp::Set,
                outcome: CacheOutcome::Stored,
                id: Some(9),
                ..
            })
        ));
        let get = CacheFrame::Get(CacheKeyRef {
            node: 3,
            key: "k".into(),
            id: None,
        });
        let Some(Ok(ServerFrame::CacheValue {
            found,
            value,
            flags,
            ttl,
            ..
        })) = apply(&mut cache, get, 1_010, 1)
        else {
            panic!("a cache_value answer");
        };
        assert_eq!(
            (found, value.as_deref(), flags, ttl),
            (true, Some("v"), Some(5), Some(50))
        );
    }

    #[test]
    fn bad_keys_and_small_limits_are_refused_naming_the_field() {
        let mut cache = Cache::new(1 << 20);
        for key in ["", "has space", "tab\there", &"k".repeat(251)] {
            let refused = apply(&mut cache, set(key, "v", 0), 0, 1).unwrap();
            assert_eq!(refused.unwrap_err().field(), "key", "{key:?}");
        }
        let limit = CacheFrame::Limit(CacheLimit {
            node: 0,
            bytes: 10,
            id: None,
        });
        let refused = apply(&mut cache, limit, 0, 1).unwrap().unwrap_err();
        assert_eq!(refused.field(), "bytes");
        assert_eq!(refused.english(), "bytes must be at least 1024");
        assert_eq!(cache.stats().curr_items, 0, "nothing was stored");
    }

    #[test]
    fn frames_for_the_driver_are_left_to_it() {
        let mut cache = Cache::new(1 << 20);
        let restart = CacheFrame::Restart(crate::protocol::CacheNodeRef { node: 0, id: None });
        assert_eq!(addressed_node(&restart), None);
        assert!(apply(&mut cache, restart, 0, 1).is_none());
        assert_eq!(addressed_node(&set("k", "v", 0)), Some(3));
    }

    #[test]
    fn results_keep_their_lower_case_words_on_the_wire() {
        let frame = result_frame(
            1,
            CacheOp::Set,
            Some("k".into()),
            CacheOutcome::OutOfMemory,
            None,
        );
        assert_eq!(
            encode_server_frame(&frame),
            r#"{"type":"cache_result","node":1,"op":"set","key":"k","outcome":"out_of_memory"}"#
        );
        let ops = [
            CacheOp::Set,
            CacheOp::Delete,
            CacheOp::Touch,
            CacheOp::Flush,
            CacheOp::Limit,
            CacheOp::Restart,
        ];
        for op in ops {
            assert_eq!(serde_json::to_value(op).unwrap(), op.name());
        }
        let outcomes = [
            (CacheOutcome::Stored, "stored"),
            (CacheOutcome::NotStored, "not_stored"),
            (CacheOutcome::Exists, "exists"),
            (CacheOutcome::NotFound, "not_found"),
            (CacheOutcome::TooLarge, "too_large"),
            (CacheOutcome::OutOfMemory, "out_of_memory"),
            (CacheOutcome::Deleted, "deleted"),
            (CacheOutcome::Touched, "touched"),
            (CacheOutcome::Ok, "ok"),
        ];
        for (outcome, word) in outcomes {
            assert_eq!(serde_json::to_value(outcome).unwrap(), word);
        }
    }
}
