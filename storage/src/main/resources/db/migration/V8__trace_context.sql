-- W3C traceparent of the request that created the job, and of the span that wrote each outbox row, so
-- the Kafka messages relayed later (and a job queued again by the sweeper) continue the job's trace.
-- Null when tracing is off.
alter table jobs add column traceparent text;
alter table outbox add column traceparent text;
