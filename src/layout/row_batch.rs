//! [`RowBatch`]: how many new timeline rows the next animation frame builds.
//!
//! A run of a thousand calls opens a thousand lanes at once; building all their rows in one frame
//! would be one long task, so rows are built a batch per frame. A fixed batch suits one device
//! only: what a laptop builds in 8 ms takes a phone with a 4× slower CPU 32 ms. So the batch
//! adapts the way TCP's congestion window does (additive increase, multiplicative decrease):
//! it grows by [`RowBatch::STEP`] after every frame that came on time and halves after one that
//! came late — which is when the page missed a display refresh.
//!
//! The run's first frame builds no rows: it folds the opening of every lane (at 1,000 lanes that
//! and the figures were 5–14 ms) and builds the panels around the timeline. Rows begin one frame
//! later, 16 ms, with the timeline itself; together the two were one 45–57 ms task.

/// The size of the next batch of rows, from how late the frames come.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RowBatch {
    size: usize,
    /// When the previous frame began (ms, any clock), if there was one.
    last_frame_ms: Option<f64>,
}

impl RowBatch {
    /// The batch of the first frame that builds rows (it also builds the timeline around them).
    pub const FIRST: usize = 20;
    pub const MIN: usize = 10;
    pub const MAX: usize = 100;
    pub const STEP: usize = 10;
    /// A frame that begins more than this after the previous one missed a refresh (60 Hz: 16.7 ms).
    pub const LATE_MS: f64 = 25.0;

    pub fn new() -> RowBatch {
        RowBatch {
            size: 0,
            last_frame_ms: None,
        }
    }

    /// The batch for a frame that begins at `now_ms`: none for the run's first frame.
    pub fn next(&mut self, now_ms: f64) -> usize {
        let Some(last) = self.last_frame_ms.replace(now_ms) else {
            return 0;
        };
        self.size = if self.size == 0 {
            RowBatch::FIRST
        } else if now_ms - last > RowBatch::LATE_MS {
            (self.size / 2).max(RowBatch::MIN)
        } else {
            (self.size + RowBatch::STEP).min(RowBatch::MAX)
        };
        self.size
    }
}

impl Default for RowBatch {
    fn default() -> RowBatch {
        RowBatch::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_while_frames_come_on_time_and_halves_when_one_is_late() {
        let mut batch = RowBatch::new();
        assert_eq!(batch.next(0.0), 0, "the first frame builds no rows");
        assert_eq!(batch.next(16.7), RowBatch::FIRST);
        assert_eq!(batch.next(33.4), 30);
        assert_eq!(batch.next(50.1), 40);
        // A missed refresh: the next frame came 33 ms later.
        assert_eq!(batch.next(83.5), 20);
        assert_eq!(batch.next(100.2), 30);
    }

    #[test]
    fn stays_within_its_bounds() {
        let mut batch = RowBatch::new();
        let mut t = 0.0;
        for _ in 0..50 {
            t += 16.0;
            batch.next(t);
        }
        assert_eq!(batch.next(t + 16.0), RowBatch::MAX);
        for _ in 0..10 {
            t += 100.0;
            batch.next(t);
        }
        assert_eq!(batch.next(t + 100.0), RowBatch::MIN);
    }
}
