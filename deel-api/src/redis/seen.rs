//! Webhook events already handled, shared by every replica of a service.

use std::time::Duration;

use super::handle::Redis;
use crate::auth::BoxFuture;
use crate::webhooks::SeenEvents;
use crate::Error;

impl Redis {
    /// Webhook events handled by any process on this namespace, each remembered for `ttl`
    /// (use [`crate::webhooks::DEFAULT_SEEN_TTL`], longer than Deel's retries).
    pub fn seen_events(&self, ttl: Duration) -> RedisSeenEvents {
        RedisSeenEvents::new(self.clone(), ttl)
    }
}

/// [`SeenEvents`] in Redis: one key per event (`<namespace>:webhook:<dedupe key>`), set only if
/// absent and expiring after the store's time to live, so that of the replicas a repeated
/// delivery reaches, one handles it. Made by [`Redis::seen_events`].
#[derive(Debug, Clone)]
pub struct RedisSeenEvents {
    redis: Redis,
    ttl: Duration,
}

impl RedisSeenEvents {
    fn new(redis: Redis, ttl: Duration) -> Self {
        Self { redis, ttl }
    }
}

impl SeenEvents for RedisSeenEvents {
    fn first_time<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, Error>> {
        Box::pin(async move {
            let k = self.redis.key(&["webhook", key]);
            let ms = u64::try_from(self.ttl.as_millis()).unwrap_or(u64::MAX).max(1);
            let reply: Option<String> = self
                .redis
                .run("claiming a webhook event", |mut c| async move {
                    redis::cmd("SET").arg(&k).arg(1).arg("NX").arg("PX").arg(ms).query_async(&mut c).await
                })
                .await?;
            Ok(reply.is_some())
        })
    }

    fn forget<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let k = self.redis.key(&["webhook", key]);
            self.redis
                .run("giving back a webhook event", |mut c| async move {
                    redis::cmd("DEL").arg(&k).query_async::<()>(&mut c).await
                })
                .await
        })
    }
}
