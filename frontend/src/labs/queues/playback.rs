//! Playing a local run: virtual time advances with the wall clock times
//! the speed, one animation frame at a time, within a budget so the page
//! still paints; the messages move every frame, the rest of the page is
//! redrawn a few times a second. Stepping, stepping back and seeking pause
//! first. A live room does not play here: the server runs it.

use leptos::prelude::*;

use super::QueueLab;
use crate::labs::queues::now_ms;

/// Wall time a frame may spend simulating before it lets the page paint.
const FRAME_BUDGET_MS: f64 = 9.0;
/// While playing, the messages move every frame ([`super::Motion`]) but
/// the rest of the page (counters, captions, depth bars:
/// [`super::Snap`]) is redrawn at most this often. Numbers changing sixty
/// times a second cannot be read anyway, and redrawing them every frame
/// was most of a frame's work.
const SNAP_EVERY_MS: f64 = 50.0;
/// The charts redraw at most this often while playing.
const CHART_EVERY_MS: f64 = 250.0;
/// The address bar follows a playing run at most this often.
const URL_EVERY_MS: f64 = 1000.0;

/// The play loop's controls (signals) and bookkeeping (stored values);
/// `Copy`, like the lab.
#[derive(Clone, Copy)]
pub struct Player {
    pub playing: RwSignal<bool>,
    pub speed: RwSignal<f64>,
    /// Playing slower than asked: the machine cannot keep up.
    pub behind: RwSignal<bool>,
    looping: StoredValue<bool>,
    /// The fraction of a tick left over from the last frame.
    carry: StoredValue<f64>,
    last_snap: StoredValue<f64>,
    last_chart: StoredValue<f64>,
    pub(super) last_url_sync: StoredValue<f64>,
}

impl Player {
    pub fn new(speed: f64) -> Player {
        Player {
            playing: RwSignal::new(false),
            speed: RwSignal::new(speed),
            behind: RwSignal::new(false),
            looping: StoredValue::new(false),
            carry: StoredValue::new(0.0),
            last_snap: StoredValue::new(0.0),
            last_chart: StoredValue::new(0.0),
            last_url_sync: StoredValue::new(0.0),
        }
    }
}

impl QueueLab {
    pub fn step(self) {
        self.pause();
        if self.local(|r| r.step()).is_some() {
            self.changed();
        }
    }

    pub fn back(self) {
        self.pause();
        if self.local(|r| r.back(1)).is_some() {
            self.changed();
        }
    }

    pub fn seek(self, step: u64) {
        self.pause();
        if self.local(|r| r.seek(step)).is_some() {
            self.changed();
        }
    }

    pub fn pause(self) {
        if self.player.playing.get_untracked() {
            self.player.playing.set(false);
            self.player.behind.set(false);
            // The page may be up to `SNAP_EVERY_MS` behind the run.
            self.refresh(false);
            self.sync_url();
        }
    }

    pub fn play(self) {
        if self.with_local(|_| ()).is_none() || self.snap.with_untracked(|s| s.ended) {
            return;
        }
        let player = self.player;
        player.playing.set(true);
        if !player.looping.get_value() {
            player.looping.set_value(true);
            player.carry.set_value(0.0);
            let start = now_ms();
            request_animation_frame(move || self.frame(start));
        }
    }

    pub fn toggle(self) {
        if self.player.playing.get_untracked() {
            self.pause();
        } else {
            self.play();
        }
    }

    /// One animation frame of play: virtual time advances by the wall
    /// time since the last frame times the speed.
    fn frame(self, last: f64) {
        let player = self.player;
        if player.playing.try_get_untracked() != Some(true) {
            let _ = player.looping.try_set_value(false);
            return;
        }
        let now = now_ms();
        let wall = (now - last).clamp(0.0, 100.0);
        let speed = player.speed.get_untracked();
        let advance = wall * 1000.0 * speed + player.carry.get_value();
        let whole = advance.floor();
        player.carry.set_value(advance - whole);
        let started = now_ms();
        let progress = self.local(|r| {
            let mut reached = false;
            let mut stop = false;
            let target = r
                .now()
                .saturating_add(fanout_shared::time::Tick(whole as u64));
            loop {
                let (_, done) = r.play_until(target, 2048);
                if done {
                    reached = true;
                    break;
                }
                if !r.can_step() || r.timeline().sim().next_time().is_none() {
                    stop = true;
                    break;
                }
                if now_ms() - started > FRAME_BUDGET_MS {
                    break;
                }
            }
            if r.timeline().sim().next_time().is_none() || !r.can_step() {
                stop = true;
            }
            (reached, stop)
        });
        // A live room took over the page meanwhile: the local run rests.
        let Some((reached, stop)) = progress else {
            player.playing.set(false);
            player.looping.set_value(false);
            return;
        };
        player.behind.set(!reached && !stop);
        if stop || now - player.last_snap.get_value() >= SNAP_EVERY_MS {
            player.last_snap.set_value(now);
            self.refresh(false);
        } else {
            self.refresh_motion();
        }
        if now - player.last_chart.get_value() > CHART_EVERY_MS {
            player.last_chart.set_value(now);
            self.charts_rev.update(|r| *r += 1);
        }
        if now - player.last_url_sync.get_value() > URL_EVERY_MS {
            self.sync_url();
        }
        if stop {
            player.playing.set(false);
            player.behind.set(false);
            player.looping.set_value(false);
            self.charts_rev.update(|r| *r += 1);
            self.sync_url();
            return;
        }
        request_animation_frame(move || self.frame(now));
    }
}
