"""Huey on Redis for several worker machines: a job taken by a worker that dies is not lost.

Huey's own Redis storage hands a job over with BZPOPMIN: from that moment the job exists only
in the worker's memory, and a worker killed with SIGKILL (out of memory, a machine lost)
loses it. Here a job is instead *moved*, in one Lua script, from the queue into the taking
consumer's in-flight hash, and removed from there only when Huey has finished with it
(done, failed, rescheduled or revoked). Each consumer keeps a lease key alive; when a lease
runs out, any other consumer puts the dead one's in-flight jobs back on the queue. Due
scheduled jobs move to the queue the same way, and each periodic job is queued once a
minute across all consumers, not once per consumer.

The guarantee is at least once: a job whose worker died after its work was done but before
its acknowledgement runs again, so every job must be safe to repeat (ours take ids and call
idempotent actions). docs/decisions/0018-workers-on-redis.md says why and what is tested.
"""

import logging
import os
import secrets
import socket
import threading
from datetime import datetime
from typing import Any

from huey import PriorityRedisHuey, signals
from huey.consumer import WORKER_PROCESS, Consumer
from huey.exceptions import ConfigurationError
from huey.storage import PriorityRedisStorage

log = logging.getLogger(__name__)

# In-flight values are "q|score|member" (a queued job) or "s|when|message" (a scheduled one),
# so that a dead consumer's work goes back exactly where it came from.
CLAIM_LUA = """
local popped = redis.call('ZPOPMIN', KEYS[1], 1)
if #popped == 0 then return false end
redis.call('HSET', KEYS[2], ARGV[1], 'q|' .. popped[2] .. '|' .. popped[1])
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('SET', KEYS[4], '1', 'EX', ARGV[3], 'NX')
return popped[1]
"""

CLAIM_SCHEDULED_LUA = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES')
local out = {}
for i = 1, #due, 2 do
  redis.call('ZREM', KEYS[1], due[i])
  local token = ARGV[2] .. i
  redis.call('HSET', KEYS[2], token, 's|' .. due[i + 1] .. '|' .. due[i])
  table.insert(out, token)
  table.insert(out, due[i])
end
if #out > 0 then redis.call('SADD', KEYS[3], ARGV[3]) end
return out
"""

# KEYS: queue, schedule, wake list, in-flight hash; ARGV: the tokens to put back.
PUT_BACK = """
local function put_back(value)
  local kind, rest = string.sub(value, 1, 1), string.sub(value, 3)
  local bar = string.find(rest, '|', 1, true)
  local score, member = string.sub(rest, 1, bar - 1), string.sub(rest, bar + 1)
  if kind == 'q' then
    redis.call('ZADD', KEYS[1], score, member)
    redis.call('LPUSH', KEYS[3], '1')
  else
    redis.call('ZADD', KEYS[2], score, member)
  end
end
"""

REQUEUE_LUA = (
    PUT_BACK
    + """
local value = redis.call('HGET', KEYS[4], ARGV[1])
if not value then return 0 end
put_back(value)
redis.call('HDEL', KEYS[4], ARGV[1])
return 1
"""
)

# Extra KEYS: the dead consumer's lease key, the consumers set; ARGV: its id.
RECOVER_LUA = (
    PUT_BACK
    + """
if redis.call('EXISTS', KEYS[5]) == 1 then return -1 end
local values = redis.call('HVALS', KEYS[4])
for _, value in ipairs(values) do put_back(value) end
redis.call('DEL', KEYS[4])
redis.call('SREM', KEYS[6], ARGV[1])
return #values
"""
)

# A consumer that stops: every job still in its hands goes back, and its lease ends now.
RELEASE_LUA = (
    PUT_BACK
    + """
local values = redis.call('HVALS', KEYS[4])
for _, value in ipairs(values) do put_back(value) end
redis.call('DEL', KEYS[4], KEYS[5])
redis.call('SREM', KEYS[6], ARGV[1])
return #values
"""
)

WAKE_TOKENS_KEPT = 1000


class LeasedPriorityRedisStorage(PriorityRedisStorage):
    """Huey's priority queue on Redis, with in-flight jobs kept until acknowledged."""

    def __init__(self, name: str = "huey", lease_seconds: int = 30, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.lease_seconds = max(int(lease_seconds), 2)
        self.consumers_key = f"huey.consumers.{self.name}"
        self.wake_key = f"huey.wake.{self.name}"
        self._claim = self.conn.register_script(CLAIM_LUA)
        self._claim_scheduled = self.conn.register_script(CLAIM_SCHEDULED_LUA)
        self._requeue = self.conn.register_script(REQUEUE_LUA)
        self._recover = self.conn.register_script(RECOVER_LUA)
        self._release = self.conn.register_script(RELEASE_LUA)
        self._consumer: tuple[int, str] | None = None
        # Set when the consumer stops: a worker woken at that moment must not take a job
        # (it would die with the process, in hand, until the lease ran out).
        self.stopping = False

    @property
    def consumer_id(self) -> str:
        """This process's id as a consumer; a new one after a fork or an exec."""
        if self._consumer is None or self._consumer[0] != os.getpid():
            ident = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
            self._consumer = (os.getpid(), ident)
        return self._consumer[1]

    def inflight_key(self, consumer_id: str) -> str:
        return f"huey.inflight.{self.name}.{consumer_id}"

    def lease_key(self, consumer_id: str) -> str:
        return f"huey.lease.{self.name}.{consumer_id}"

    def _keys(self, consumer_id: str) -> list[str]:
        return [self.queue_key, self.schedule_key, self.wake_key, self.inflight_key(consumer_id)]

    def enqueue(self, data: bytes, priority: int | None = None) -> None:
        super().enqueue(data, priority)
        # A token wakes one waiting worker; the list is capped, tokens are only a hint.
        pipe = self.conn.pipeline()
        pipe.lpush(self.wake_key, "1")
        pipe.ltrim(self.wake_key, 0, WAKE_TOKENS_KEPT - 1)
        pipe.execute()

    def claim(self) -> tuple[str, bytes] | None:
        """Move the next job into this consumer's in-flight hash; wait up to read_timeout."""
        for attempt in range(2):
            if self.stopping:
                return None
            token = secrets.token_hex(8)
            me = self.consumer_id
            keys = [self.queue_key, self.inflight_key(me), self.consumers_key, self.lease_key(me)]
            member = self._claim(keys=keys, args=[token, me, self.lease_seconds])
            if member:
                return token, bytes(member)[8:]  # strip Huey's ordering prefix
            if attempt == 0:
                self.conn.brpop([self.wake_key], timeout=self.read_timeout)
        return None

    def claim_due_scheduled(self, when: datetime) -> list[tuple[str, bytes]]:
        prefix = f"s{secrets.token_hex(6)}."
        me = self.consumer_id
        keys = [self.schedule_key, self.inflight_key(me), self.consumers_key]
        flat = self._claim_scheduled(keys=keys, args=[self.convert_ts(when), prefix, me])
        return [(flat[i].decode(), bytes(flat[i + 1])) for i in range(0, len(flat), 2)]

    def ack(self, token: str) -> None:
        self.conn.hdel(self.inflight_key(self.consumer_id), token)

    def requeue(self, token: str) -> bool:
        return bool(self._requeue(keys=self._keys(self.consumer_id), args=[token]))

    def renew_lease(self) -> None:
        me = self.consumer_id
        pipe = self.conn.pipeline()
        pipe.set(self.lease_key(me), "1", ex=self.lease_seconds)
        pipe.sadd(self.consumers_key, me)
        pipe.execute()

    def recover_dead_consumers(self) -> int:
        """Put back the in-flight jobs of every consumer whose lease has run out."""
        recovered = 0
        for raw in self.conn.smembers(self.consumers_key):
            other = raw.decode()
            if other == self.consumer_id:
                continue
            keys = [*self._keys(other), self.lease_key(other), self.consumers_key]
            count = int(self._recover(keys=keys, args=[other]))
            if count > 0:
                log.warning("put back %d job(s) of consumer %s, whose lease ran out", count, other)
                recovered += count
        return recovered

    def release(self) -> int:
        """Put back whatever this consumer still holds, and end its lease (at shutdown)."""
        me = self.consumer_id
        keys = [*self._keys(me), self.lease_key(me), self.consumers_key]
        return int(self._release(keys=keys, args=[me]))

    def claim_periodic_run(self, task_name: str, minute: str) -> bool:
        """True for the first consumer to ask for this periodic job in this minute."""
        key = f"huey.periodic.{self.name}.{task_name}.{minute}"
        return bool(self.conn.set(key, "1", nx=True, ex=2 * 3600))

    def flush_all(self) -> None:
        super().flush_all()
        for pattern in ("inflight", "lease", "periodic"):
            for key in self.conn.scan_iter(f"huey.{pattern}.{self.name}.*"):
                self.conn.delete(key)
        self.conn.delete(self.consumers_key, self.wake_key)


class LeasedConsumer(Consumer):
    """Huey's consumer plus a thread that renews this consumer's lease and recovers the jobs
    of consumers whose lease ran out."""

    def __init__(self, huey: "LeasedRedisHuey", **options: Any) -> None:
        if options.get("worker_type") == WORKER_PROCESS:
            # A child process outlives a parent killed with SIGKILL and would keep running
            # jobs under a lease nobody renews: they would be recovered and run twice.
            raise ConfigurationError("the Redis worker runs thread workers only (-k thread)")
        super().__init__(huey, **options)
        self._lease_stop = threading.Event()

    def start(self) -> None:
        storage = self.huey.storage
        storage.renew_lease()
        keeper = threading.Thread(target=self._keep_lease, name="lease", daemon=True)
        keeper.start()
        super().start()

    def _keep_lease(self) -> None:
        storage = self.huey.storage
        while not self._lease_stop.wait(storage.lease_seconds / 3):
            try:
                storage.renew_lease()
                storage.recover_dead_consumers()
            except Exception:  # noqa: BLE001 - Redis away for a moment: try at the next beat
                log.exception("could not renew the worker lease")

    def stop(self, graceful: bool = False) -> None:
        self.huey.storage.stopping = True
        super().stop(graceful)

    def run(self) -> None:
        try:
            super().run()
        finally:
            self._lease_stop.set()
            self.huey.storage.stopping = True
            put_back = self.huey.storage.release()
            if put_back:
                log.warning("put back %d unfinished job(s) at shutdown", put_back)


class LeasedRedisHuey(PriorityRedisHuey):
    storage_class = LeasedPriorityRedisStorage

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.signal(signals.SIGNAL_INTERRUPTED)(self._put_back_interrupted)

    def create_consumer(self, **options: Any) -> LeasedConsumer:
        return LeasedConsumer(self, **options)

    def dequeue(self) -> Any:
        claimed = self.storage.claim()
        if claimed is None:
            return None
        token, data = claimed
        try:
            task = self.deserialize_task(data)
        except Exception:
            self.storage.ack(token)  # a message no one can read would come back forever
            raise
        task.inflight_token = token
        return task

    def execute(self, task: Any, timestamp: datetime | None = None) -> Any:
        try:
            return super().execute(task, timestamp)
        finally:
            token = getattr(task, "inflight_token", None)
            if token is not None:
                self.storage.ack(token)

    def _put_back_interrupted(self, signal: str, task: Any) -> None:
        """A worker stopped mid-job by a shutdown: the job goes back now, not at lease end."""
        token = getattr(task, "inflight_token", None)
        if token is not None and self.storage.requeue(token):
            task.inflight_token = None

    def read_schedule(self, timestamp: datetime | None = None) -> list[Any]:
        """Queue the due scheduled jobs here (each kept in flight until it is queued), so the
        scheduler has nothing left to queue: no moment where a due job is nowhere."""
        when = timestamp or self._get_timestamp()
        for token, data in self.storage.claim_due_scheduled(when):
            try:
                self.enqueue(self.deserialize_task(data))
            except Exception:
                log.exception("a scheduled job could not be read; dropped")
            self.storage.ack(token)
        return []

    def read_periodic(self, timestamp: datetime | None) -> list[Any]:
        when = timestamp or self._get_timestamp()
        minute = when.strftime("%Y%m%d%H%M")
        due = super().read_periodic(when)
        return [task for task in due if self.storage.claim_periodic_run(task.name, minute)]
