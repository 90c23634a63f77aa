//! When a DataLoader sends its batch: once the operation has asked for everything it can ask
//! for without an answer, not after a fixed time.
//!
//! async-graphql's DataLoader collects the keys asked for until its batch task runs, then
//! loads them in one go. Out of the box that task waits a fixed time, which races the walk
//! over the fields: async-graphql hands control back to the executor while it walks (an object
//! whose fields all wait wakes itself, and a list of more than 30 items stops after two such
//! items), so a list of 33 wards takes many polls, and on a busy machine the task may be polled
//! again only milliseconds later. Keys asked for after the timer fired then formed a second
//! batch, and a late timer let keys of the next level join an earlier batch: the statements one
//! operation cost changed from run to run.
//!
//! Here the operation runs [`paced`]: a poll that ends with the operation waiting on nothing but
//! answers (it returned `Pending` without being woken meanwhile) ends a *pass*, and the batches
//! started during the pass are taken right then, inside that poll, before they carry on as tasks
//! of their own. A batch thus holds every key the operation asks for before it needs an answer:
//! one batch per loader and level of the query, however loaded the machine is.

use std::{
    future::Future,
    pin::Pin,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    task::{Context, Poll, Wake, Waker},
    time::Duration,
};

use async_graphql::dataloader::{DataLoader, Loader};
use futures::{Stream, future::BoxFuture};

/// The batches an operation started and has not taken yet.
#[derive(Default)]
pub struct Batches(Mutex<Vec<BoxFuture<'static, ()>>>);

impl Batches {
    /// A fresh queue for one operation.
    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    fn push(&self, batch: BoxFuture<'static, ()>) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(batch);
    }

    /// Takes the keys of every batch started so far (the first poll of a batch with no delay
    /// takes them and starts loading), then lets each go on as a task.
    fn start(&self, cx: &mut Context<'_>) {
        let started = std::mem::take(
            &mut *self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        for mut batch in started {
            if batch.as_mut().poll(cx).is_pending() {
                tokio::spawn(batch);
            }
        }
    }
}

/// A DataLoader whose batches start when a pass of the operation ends (see the module).
pub fn loader<L, K>(l: L, batches: &Arc<Batches>) -> DataLoader<L>
where
    L: Loader<K>,
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
{
    let batches = Arc::clone(batches);
    // No delay: the batch's first poll, at the end of the pass, takes the keys.
    DataLoader::new(l, move |batch| batches.push(batch)).delay(Duration::ZERO)
}

/// Runs `operation` so that its DataLoader batches start at the end of each pass.
pub fn paced<F: Future>(batches: &Arc<Batches>, operation: F) -> Paced<Pin<Box<F>>> {
    Paced {
        inner: Box::pin(operation),
        batches: Arc::clone(batches),
    }
}

/// Runs the event stream of a subscription like [`paced`].
pub fn paced_stream<S: Stream + Unpin>(batches: &Arc<Batches>, events: S) -> Paced<S> {
    Paced {
        inner: events,
        batches: Arc::clone(batches),
    }
}

/// A future or stream run [`paced`].
pub struct Paced<I> {
    inner: I,
    batches: Arc<Batches>,
}

impl<I> Paced<I> {
    /// Polls the operation with a waker that notes being woken during the poll; when it was
    /// not, the operation waits only on answers, and the pass's batches start.
    fn pass<T>(
        &mut self,
        cx: &mut Context<'_>,
        poll: impl FnMut(&mut I, &mut Context<'_>) -> Poll<T>,
    ) -> Poll<T> {
        let noting = Arc::new(Noting {
            woken: AtomicBool::new(false),
            waker: cx.waker().clone(),
        });
        let waker = Waker::from(Arc::clone(&noting));
        // Outside tokio's cooperative budget: a spent budget defers the task's wake until after
        // the poll, which would pass for the end of a pass in the middle of a list. (An
        // operation is bounded by the document limits and its time limit.)
        let inner = &mut self.inner;
        let mut poll = poll;
        let mut once = tokio::task::unconstrained(futures::future::poll_fn(move |cx| {
            Poll::Ready(poll(&mut *inner, cx))
        }));
        let Poll::Ready(answer) = Pin::new(&mut once).poll(&mut Context::from_waker(&waker)) else {
            unreachable!("a poll_fn that always answers Ready")
        };
        if answer.is_ready() || !noting.woken.load(Ordering::Acquire) {
            self.batches.start(cx);
        }
        answer
    }
}

impl<F: Future + Unpin> Future for Paced<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.get_mut().pass(cx, |f, cx| Pin::new(f).poll(cx))
    }
}

impl<S: Stream + Unpin> Stream for Paced<S> {
    type Item = S::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        self.get_mut().pass(cx, |s, cx| Pin::new(s).poll_next(cx))
    }
}

/// Forwards wakes to the task, noting that one came.
struct Noting {
    woken: AtomicBool,
    waker: Waker,
}

impl Wake for Noting {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.waker.wake_by_ref();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::collections::HashMap;

    use futures::{FutureExt, future::join_all};

    use super::*;

    /// Records each batch it is asked to load.
    #[derive(Clone, Default)]
    struct Recording(Arc<Mutex<Vec<Vec<u32>>>>);

    impl Loader<u32> for Recording {
        type Value = u32;
        type Error = ();

        async fn load(&self, keys: &[u32]) -> Result<HashMap<u32, u32>, ()> {
            let mut keys = keys.to_vec();
            keys.sort_unstable();
            self.0.lock().unwrap().push(keys.clone());
            tokio::task::yield_now().await;
            Ok(keys.into_iter().map(|k| (k, k * 10)).collect())
        }
    }

    impl Recording {
        fn batches(&self) -> Vec<Vec<u32>> {
            self.0.lock().unwrap().clone()
        }
    }

    /// Asks for `key` after handing control back to the executor `yields` times (waking itself
    /// first, as async-graphql's objects and long lists do).
    async fn ask(l: &DataLoader<Recording>, key: u32, yields: u32) -> u32 {
        for _ in 0..yields {
            let mut yielded = false;
            futures::future::poll_fn(|cx| {
                if std::mem::replace(&mut yielded, true) {
                    Poll::Ready(())
                } else {
                    cx.waker().wake_by_ref();
                    Poll::Pending
                }
            })
            .await;
        }
        l.load_one(key).await.unwrap().unwrap()
    }

    #[tokio::test]
    async fn a_batch_is_taken_in_the_poll_that_ends_the_pass() {
        let rec = Recording::default();
        let batches = Batches::new();
        let l = loader(rec.clone(), &batches);
        let mut op = paced(&batches, join_all((1..=5).map(|k| ask(&l, k, 0))));
        assert!((&mut op).now_or_never().is_none());
        // Taken before the executor ran anything else.
        assert_eq!(rec.batches(), vec![vec![1, 2, 3, 4, 5]]);
        assert_eq!(op.await, vec![10, 20, 30, 40, 50]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_pass_over_many_polls_is_one_batch_and_the_next_level_another() {
        let rec = Recording::default();
        let batches = Batches::new();
        let l = loader(rec.clone(), &batches);
        let op = paced(&batches, async {
            // Keys asked for across many polls: some fields hand control back several times.
            let first = join_all((1..=40).map(|k| ask(&l, k, k % 7))).await;
            // Asked for once the answers are in: the next level.
            let second = join_all(first.iter().map(|v| ask(&l, v + 1000, 0))).await;
            (first, second)
        });
        let (first, second) = op.await;
        assert_eq!(first.len(), 40);
        assert_eq!(second[0], 10_100);
        let seen = rec.batches();
        assert_eq!(seen.len(), 2, "{seen:?}");
        assert_eq!(seen[0], (1..=40).collect::<Vec<_>>());
        assert_eq!(seen[1], (1..=40).map(|k| k * 10 + 1000).collect::<Vec<_>>());
    }
}
