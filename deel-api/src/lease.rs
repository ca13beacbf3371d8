//! One process at a time: the loop that OAuth rotation and worker-token creation share.
//!
//! A process looks for what another one stored; failing that, it takes the lease and does the
//! work itself (giving the lease back afterwards, whatever happened); failing that, it waits and
//! looks again, until the holder has had the lease for longer than a lease lasts.

use std::time::Duration;

use crate::Error;

/// How a lease is held and waited for.
#[derive(Debug, Clone)]
pub(crate) struct Lease {
    /// This process's name as a holder: unique across processes and restarts.
    pub(crate) holder: String,
    /// How long a lease is held at most; one whose holder crashed is free again after it.
    pub(crate) ttl: Duration,
    /// How often a waiting process looks again.
    pub(crate) poll: Duration,
}

impl Lease {
    /// A lease of at most `ttl` with a new holder name.
    pub(crate) fn new(ttl: Duration) -> Self {
        Self {
            holder: format!("{}-{}", std::process::id(), uuid::Uuid::new_v4()),
            ttl,
            poll: Duration::from_millis(50),
        }
    }

    /// How long a process waits for the holder before it gives up: the lease itself, and a
    /// margin for a holder that stores its result at the last moment.
    pub(crate) fn patience(&self) -> Duration {
        self.ttl + Duration::from_secs(5)
    }
}

/// A job done by one process at a time, whose result the others read.
pub(crate) trait Leased {
    /// What the job produces (or what a process adopts from another).
    type Output;
    /// The lease's name in errors and logs.
    const WHAT: &'static str;
    /// A result another process stored, usable by this one.
    async fn look(&mut self) -> Result<Option<Self::Output>, Error>;
    /// Takes the lease unless another process holds it; says whether it did.
    async fn take(&mut self, lease: &Lease) -> Result<bool, Error>;
    /// Does the job under the lease, and stores its result for the others.
    async fn work(&mut self, lease: &Lease) -> Result<Self::Output, Error>;
    /// Gives the lease back if this process still holds it.
    async fn release(&mut self, lease: &Lease) -> Result<(), Error>;
}

/// Runs `job` in coordination with the other processes: see the module's documentation.
pub(crate) async fn run<J: Leased>(job: &mut J, lease: &Lease) -> Result<J::Output, Error> {
    let started = tokio::time::Instant::now();
    loop {
        if let Some(found) = job.look().await? {
            return Ok(found);
        }
        if job.take(lease).await? {
            let outcome = job.work(lease).await;
            if let Err(e) = job.release(lease).await {
                tracing::warn!(error = %e, lease = J::WHAT, "could not release a lease; it expires by itself");
            }
            return outcome;
        }
        if started.elapsed() > lease.patience() {
            return Err(Error::SharedState {
                message: format!(
                    "another process has held the {} lease for over {:?} without storing a result",
                    J::WHAT,
                    lease.patience()
                ),
                source: None,
            });
        }
        tokio::time::sleep(lease.poll).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A shared slot and lease in memory, and a count of the work done.
    #[derive(Default)]
    struct Store {
        value: Option<u32>,
        holder: Option<String>,
        worked: u32,
        released: u32,
    }

    struct Job {
        store: Arc<Mutex<Store>>,
        /// Whether the work stores its result (a holder that dies does not).
        stores: bool,
        /// Whether the work fails.
        fails: bool,
    }

    impl Leased for Job {
        type Output = u32;
        const WHAT: &'static str = "test";

        async fn look(&mut self) -> Result<Option<u32>, Error> {
            Ok(self.store.lock().unwrap_or_else(|p| p.into_inner()).value)
        }

        async fn take(&mut self, lease: &Lease) -> Result<bool, Error> {
            let mut store = self.store.lock().unwrap_or_else(|p| p.into_inner());
            if store.holder.is_some() {
                return Ok(false);
            }
            store.holder = Some(lease.holder.clone());
            Ok(true)
        }

        async fn work(&mut self, _: &Lease) -> Result<u32, Error> {
            // Long enough for the others to find the lease taken.
            tokio::time::sleep(Duration::from_millis(120)).await;
            let mut store = self.store.lock().unwrap_or_else(|p| p.into_inner());
            store.worked += 1;
            if self.fails {
                return Err(Error::InvalidRequest("the work failed".into()));
            }
            if self.stores {
                store.value = Some(7);
            }
            Ok(7)
        }

        async fn release(&mut self, lease: &Lease) -> Result<(), Error> {
            let mut store = self.store.lock().unwrap_or_else(|p| p.into_inner());
            if store.holder.as_deref() == Some(lease.holder.as_str()) {
                store.holder = None;
                store.released += 1;
            }
            Ok(())
        }
    }

    #[tokio::test(start_paused = true)]
    async fn one_works_and_the_others_read_its_result() {
        let store = Arc::new(Mutex::new(Store::default()));
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move {
                    let mut job = Job { store, stores: true, fails: false };
                    run(&mut job, &Lease::new(Duration::from_secs(30))).await
                })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.ok().and_then(Result::ok), Some(7));
        }
        let store = store.lock().unwrap_or_else(|p| p.into_inner());
        assert_eq!((store.worked, store.released), (1, 1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_failure_is_returned_and_the_lease_given_back() {
        let store = Arc::new(Mutex::new(Store::default()));
        let mut job = Job { store: store.clone(), stores: false, fails: true };
        let outcome = run(&mut job, &Lease::new(Duration::from_secs(30))).await;
        assert!(matches!(outcome, Err(Error::InvalidRequest(_))));
        let store = store.lock().unwrap_or_else(|p| p.into_inner());
        assert_eq!((store.holder.as_deref(), store.released), (None, 1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_holder_that_never_stores_is_waited_for_no_longer_than_its_lease() {
        let store =
            Arc::new(Mutex::new(Store { holder: Some("a crashed process".into()), ..Store::default() }));
        let lease = Lease::new(Duration::from_secs(2));
        let started = tokio::time::Instant::now();
        let mut job = Job { store: store.clone(), stores: true, fails: false };
        let outcome = run(&mut job, &lease).await;
        let Err(Error::SharedState { message, .. }) = outcome else {
            panic!("expected a shared-state error")
        };
        assert!(message.contains("test lease"), "{message}");
        let waited = started.elapsed();
        assert!(
            waited > lease.patience() && waited < lease.patience() + Duration::from_millis(200),
            "{waited:?}"
        );
        assert_eq!(store.lock().unwrap_or_else(|p| p.into_inner()).worked, 0);
    }
}
