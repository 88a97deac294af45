//! Durable rooms on disk (issue 15): live rooms whose scenario has a
//! broker with a durable queue are kept under `--data-dir`, with the
//! persistent messages their brokers hold on disk, so that after
//! `kill -9` of `fanout serve` a restart brings them back with their codes
//! (docs/protocol.md, "Persistence").
//!
//! What is on a broker's disk is the engine's to say
//! (`fanout_shared::broker::persist`): the room's driver takes the
//! engine's journal of disk changes every turn, and [`RoomStore::commit`]
//! writes the changes of one or more turns in one transaction before the
//! frames those turns pushed leave (group commit, `durable.rs`), synced
//! when they wrote a message (or a room, or a task number), so no member
//! hears a confirm for a message the server has not stored.
//!
//! The store is redb (docs/ARCHITECTURE.md, "Durable rooms"): an embedded
//! key-value store in pure Rust with ACID transactions and crash-safe
//! copy-on-write B-trees; a process killed mid-commit leaves the last
//! committed state. One file, `rooms.redb`, with three tables:
//!
//! | table | key | value |
//! |---|---|---|
//! | `rooms` | code | the room as created: token, scenario, seed, zmtp (JSON) |
//! | `next_task` | code | the first task number not yet given |
//! | `messages` | (code, broker node, queue, arrival order) | a message as the broker last wrote it (JSON) |

use std::{
    collections::BTreeMap,
    io,
    path::{Path, PathBuf},
};

use fanout_shared::{
    broker::{Message, TaskBody, TaskId, persist::DiskChange},
    sim::timeline::ScenarioRef,
};
use redb::{Database, Durability, ReadableDatabase, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};

const ROOMS: TableDefinition<&str, &str> = TableDefinition::new("rooms");
const NEXT_TASK: TableDefinition<&str, u64> = TableDefinition::new("next_task");
const MESSAGES: TableDefinition<(&str, &str, &str, u64), &str> = TableDefinition::new("messages");

/// The file inside `--data-dir`.
pub const FILE: &str = "rooms.redb";

/// A durable room as it was created: enough to create it again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomRecord {
    /// The creator's token: its holder is the owner again after a restart.
    pub token: String,
    pub scenario: ScenarioRef,
    pub seed: u64,
    /// Whether its endpoints listened for real ZeroMQ programs.
    pub zmtp: bool,
}

/// A message as stored; its queue and arrival order are in the key.
#[derive(Debug, Serialize, Deserialize)]
struct StoredMessage {
    task: u64,
    body: TaskBody,
    persistent: bool,
    returns: u32,
    redelivered: bool,
}

impl StoredMessage {
    fn of(m: &Message) -> StoredMessage {
        StoredMessage {
            task: m.task.0,
            body: m.body,
            persistent: m.persistent,
            returns: m.returns,
            redelivered: m.redelivered,
        }
    }

    fn into_message(self, seq: u64) -> Message {
        Message {
            task: TaskId(self.task),
            body: self.body,
            persistent: self.persistent,
            seq,
            returns: self.returns,
            redelivered: self.redelivered,
        }
    }
}

/// A room read back at start.
#[derive(Debug)]
pub struct StoredRoom {
    pub code: String,
    pub record: RoomRecord,
    pub next_task: u64,
    /// Broker node → its disk: (queue, message), in arrival order.
    pub disks: BTreeMap<String, Vec<(String, Message)>>,
}

/// Why the store could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data directory {dir}: {source}")]
    CreateDir { dir: PathBuf, source: io::Error },
    #[error("{file} is in use by another fanout serve (one server per directory)")]
    InUse { file: PathBuf },
    #[error("cannot open {file}: {source}")]
    Open {
        file: PathBuf,
        source: redb::DatabaseError,
    },
    #[error("the room store failed: {0}")]
    Redb(#[from] redb::Error),
    #[error("a stored room cannot be read: {0}")]
    Decode(#[from] serde_json::Error),
}

impl From<redb::TransactionError> for StoreError {
    fn from(e: redb::TransactionError) -> Self {
        StoreError::Redb(e.into())
    }
}
impl From<redb::TableError> for StoreError {
    fn from(e: redb::TableError) -> Self {
        StoreError::Redb(e.into())
    }
}
impl From<redb::StorageError> for StoreError {
    fn from(e: redb::StorageError) -> Self {
        StoreError::Redb(e.into())
    }
}
impl From<redb::CommitError> for StoreError {
    fn from(e: redb::CommitError) -> Self {
        StoreError::Redb(e.into())
    }
}
impl From<redb::SetDurabilityError> for StoreError {
    fn from(e: redb::SetDurabilityError) -> Self {
        StoreError::Redb(e.into())
    }
}

/// One turn's writes for one room.
#[derive(Debug, Default)]
pub struct Commit {
    /// A room just created: its record, written with its first turn.
    pub record: Option<RoomRecord>,
    /// The engine's journal since the last turn: (broker node, change).
    pub changes: Vec<(String, DiskChange)>,
    /// The first task number not given yet, if it changed.
    pub next_task: Option<u64>,
}

impl Commit {
    pub fn is_empty(&self) -> bool {
        self.record.is_none() && self.changes.is_empty() && self.next_task.is_none()
    }

    /// Whether the turn must be on disk before anything of it leaves: a
    /// new room (its code is about to be heard), a message written (its
    /// confirm is), a task numbered (its number is). A turn of only
    /// delivery marks and removals needs no sync of its own: lost in a
    /// crash, they only bring a message back, marked redelivered, which a
    /// broker's restart does anyway (at least once, never lost); the next
    /// synced turn makes them durable with it.
    pub fn needs_sync(&self) -> bool {
        self.record.is_some()
            || self.next_task.is_some()
            || self
                .changes
                .iter()
                .any(|(_, c)| matches!(c, DiskChange::Written { .. }))
    }
}

/// What a turn does to one stored message.
enum Write {
    Put(Message),
    /// Only marked delivered: the stored message is read and rewritten.
    Mark,
    Delete,
}

/// The open store. Its file is locked: one `fanout serve` per directory.
#[derive(Debug)]
pub struct RoomStore {
    db: Database,
    file: PathBuf,
}

impl RoomStore {
    /// Opens (or creates) `dir/rooms.redb`, creating `dir` readable by
    /// this user only (it holds creators' tokens).
    pub fn open(dir: &Path) -> Result<RoomStore, StoreError> {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(dir)
            .map_err(|source| StoreError::CreateDir {
                dir: dir.to_path_buf(),
                source,
            })?;
        let file = dir.join(FILE);
        let db = Database::create(&file).map_err(|source| match source {
            redb::DatabaseError::DatabaseAlreadyOpen => StoreError::InUse { file: file.clone() },
            source => StoreError::Open {
                file: file.clone(),
                source,
            },
        })?;
        // Create the tables, so that reading an empty store finds them.
        let txn = db.begin_write()?;
        txn.open_table(ROOMS)?;
        txn.open_table(NEXT_TASK)?;
        txn.open_table(MESSAGES)?;
        txn.commit()?;
        Ok(RoomStore { db, file })
    }

    /// The store's file.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Writes one turn of one room in one transaction, synced to disk when
    /// this returns if the turn [needs it](Commit::needs_sync)
    /// (`Durability::Immediate`: the protocol's promise rests on it);
    /// otherwise committed without a sync (`Durability::None`), and made
    /// durable by the next synced commit of any room (redb persists every
    /// earlier commit with it).
    pub fn commit(&self, code: &str, commit: &Commit) -> Result<(), StoreError> {
        let mut txn = self.db.begin_write()?;
        txn.set_durability(if commit.needs_sync() {
            Durability::Immediate
        } else {
            Durability::None
        })?;
        {
            if let Some(record) = &commit.record {
                let json = serde_json::to_string(record)?;
                txn.open_table(ROOMS)?.insert(code, json.as_str())?;
            }
            if let Some(next) = commit.next_task {
                txn.open_table(NEXT_TASK)?.insert(code, next)?;
            }
            let mut messages = txn.open_table(MESSAGES)?;
            for ((node, queue, seq), write) in coalesce(&commit.changes) {
                let key = (code, node, queue, seq);
                match write {
                    Write::Put(m) => {
                        let json = serde_json::to_string(&StoredMessage::of(&m))?;
                        messages.insert(key, json.as_str())?;
                    }
                    Write::Mark => {
                        let stored = match messages.get(key)? {
                            Some(v) => Some(serde_json::from_str::<StoredMessage>(v.value())?),
                            None => None,
                        };
                        if let Some(mut m) = stored {
                            m.redelivered = true;
                            let json = serde_json::to_string(&m)?;
                            messages.insert(key, json.as_str())?;
                        }
                    }
                    Write::Delete => {
                        messages.remove(key)?;
                    }
                }
            }
        }
        txn.commit()?;
        Ok(())
    }

    /// Makes every commit so far durable (an empty synced commit: redb
    /// persists the unsynced ones before it), as the server stops.
    pub fn sync(&self) -> Result<(), StoreError> {
        let mut txn = self.db.begin_write()?;
        txn.set_durability(Durability::Immediate)?;
        txn.commit()?;
        Ok(())
    }

    /// Forgets a room and its messages (it closed).
    pub fn remove(&self, code: &str) -> Result<(), StoreError> {
        let txn = self.db.begin_write()?;
        {
            txn.open_table(ROOMS)?.remove(code)?;
            txn.open_table(NEXT_TASK)?.remove(code)?;
            let mut messages = txn.open_table(MESSAGES)?;
            messages.retain_in((code, "", "", 0u64).., |k, _| k.0 != code)?;
        }
        txn.commit()?;
        Ok(())
    }

    /// Every stored room with its brokers' disks.
    pub fn load(&self) -> Result<Vec<StoredRoom>, StoreError> {
        let txn = self.db.begin_read()?;
        let rooms = txn.open_table(ROOMS)?;
        let next_task = txn.open_table(NEXT_TASK)?;
        let messages = txn.open_table(MESSAGES)?;
        let mut out = Vec::new();
        for entry in rooms.iter()? {
            let (code, record) = entry?;
            let code = code.value().to_owned();
            let record: RoomRecord = serde_json::from_str(record.value())?;
            let next = next_task.get(code.as_str())?.map_or(0, |v| v.value());
            let mut disks: BTreeMap<String, Vec<(String, Message)>> = BTreeMap::new();
            for entry in messages.range((code.as_str(), "", "", 0u64)..)? {
                let (key, value) = entry?;
                let (room, node, queue, seq) = key.value();
                if room != code {
                    break;
                }
                let stored: StoredMessage = serde_json::from_str(value.value())?;
                disks
                    .entry(node.to_owned())
                    .or_default()
                    .push((queue.to_owned(), stored.into_message(seq)));
            }
            out.push(StoredRoom {
                code,
                record,
                next_task: next,
                disks,
            });
        }
        Ok(out)
    }
}

/// A turn's changes, one write per message: a message written, delivered
/// and acknowledged within one turn costs nothing on disk.
fn coalesce(changes: &[(String, DiskChange)]) -> BTreeMap<(&str, &str, u64), Write> {
    use std::collections::btree_map::Entry;
    let mut writes = BTreeMap::new();
    for (node, change) in changes {
        match change {
            DiskChange::Written { queue, message } => {
                let key = (node.as_str(), queue.as_str(), message.seq);
                writes.insert(key, Write::Put(message.clone()));
            }
            DiskChange::Delivered { queue, seq } => {
                match writes.entry((node.as_str(), queue.as_str(), *seq)) {
                    Entry::Occupied(mut e) => {
                        if let Write::Put(m) = e.get_mut() {
                            m.redelivered = true;
                        }
                    }
                    Entry::Vacant(e) => {
                        e.insert(Write::Mark);
                    }
                }
            }
            DiskChange::Removed { queue, seq } => {
                writes.insert((node.as_str(), queue.as_str(), *seq), Write::Delete);
            }
        }
    }
    writes
}

/// `--data-dir`'s default: the user's data directory (XDG's
/// `$XDG_DATA_HOME/fanout`, else `~/.local/share/fanout`), or
/// `./fanout-data` when neither is known.
pub fn default_dir() -> PathBuf {
    let from = |var: &str| {
        std::env::var_os(var)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(data) = from("XDG_DATA_HOME") {
        return data.join("fanout");
    }
    if let Some(home) = from("HOME") {
        return home.join(".local/share/fanout");
    }
    PathBuf::from("fanout-data")
}

#[cfg(test)]
mod tests {
    use super::*;
    use fanout_shared::time::Tick;

    fn msg(task: u64, seq: u64) -> Message {
        Message {
            task: TaskId(task),
            body: TaskBody {
                work: Tick::from_millis(5),
                poison: false,
                retries: 0,
                eta: None,
            },
            persistent: true,
            seq,
            returns: 0,
            redelivered: false,
        }
    }

    fn written(node: &str, task: u64, seq: u64) -> (String, DiskChange) {
        (
            node.into(),
            DiskChange::Written {
                queue: "jobs".into(),
                message: msg(task, seq),
            },
        )
    }

    fn record() -> RoomRecord {
        RoomRecord {
            token: "secret".into(),
            scenario: ScenarioRef::Preset("broker-restart".into()),
            seed: 7,
            zmtp: false,
        }
    }

    #[test]
    fn a_turn_is_stored_and_read_back_and_a_closed_room_forgotten() {
        let dir = std::env::temp_dir().join(format!("fanout-store-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = RoomStore::open(&dir).unwrap();
        store
            .commit(
                "AAAAAA",
                &Commit {
                    record: Some(record()),
                    changes: vec![
                        written("broker", 0, 1),
                        written("broker", 1, 2),
                        written("broker", 2, 3),
                        // Written, delivered and acknowledged in one turn.
                        written("broker", 3, 4),
                        (
                            "broker".into(),
                            DiskChange::Delivered {
                                queue: "jobs".into(),
                                seq: 4,
                            },
                        ),
                        (
                            "broker".into(),
                            DiskChange::Removed {
                                queue: "jobs".into(),
                                seq: 4,
                            },
                        ),
                    ],
                    next_task: Some(4),
                },
            )
            .unwrap();
        store
            .commit(
                "CCCCCC",
                &Commit {
                    record: Some(record()),
                    changes: vec![written("broker", 9, 1)],
                    next_task: Some(10),
                },
            )
            .unwrap();
        store
            .commit(
                "AAAAAA",
                &Commit {
                    record: None,
                    changes: vec![
                        (
                            "broker".into(),
                            DiskChange::Delivered {
                                queue: "jobs".into(),
                                seq: 2,
                            },
                        ),
                        (
                            "broker".into(),
                            DiskChange::Removed {
                                queue: "jobs".into(),
                                seq: 1,
                            },
                        ),
                    ],
                    next_task: None,
                },
            )
            .unwrap();
        drop(store);
        // As a new process would.
        let store = RoomStore::open(&dir).unwrap();
        let rooms = store.load().unwrap();
        assert_eq!(rooms.len(), 2);
        let a = &rooms[0];
        assert_eq!(a.code, "AAAAAA");
        assert_eq!(a.record, record());
        assert_eq!(a.next_task, 4);
        let disk: Vec<(u64, u64, bool)> = a.disks["broker"]
            .iter()
            .map(|(_, m)| (m.task.0, m.seq, m.redelivered))
            .collect();
        assert_eq!(disk, [(1, 2, true), (2, 3, false)]);
        store.remove("AAAAAA").unwrap();
        let rooms = store.load().unwrap();
        assert_eq!(rooms.len(), 1);
        assert_eq!(rooms[0].code, "CCCCCC");
        assert_eq!(rooms[0].disks["broker"].len(), 1, "another room's kept");
        // One process per directory.
        assert!(matches!(
            RoomStore::open(&dir),
            Err(StoreError::InUse { .. })
        ));
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
