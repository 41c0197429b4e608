-- A running job belongs to one worker for as long as that worker keeps renewing its lease. A lease that
-- runs out (the worker died or hangs) lets the gateway's sweeper put the job back in the queue.
alter table jobs add column lease_owner text;
alter table jobs add column lease_until timestamptz;
-- attempts at running the job (a worker taking it counts one); bounds crash loops
alter table jobs add column attempts int not null default 0;
create index jobs_running_lease on jobs (lease_until) where status = 'running';
create index jobs_queued_created on jobs (created_at) where status = 'queued';
