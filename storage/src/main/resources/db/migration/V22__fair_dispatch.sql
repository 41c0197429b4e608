-- Fair dispatch (README: Scheduling). A job stays queued in Postgres until the gateway's dispatcher publishes it;
-- the dispatcher keeps only a bounded number of each mode's jobs published and unfinished, and picks the next one
-- by start-time fair queuing across tenants: each job gets a virtual start tag when it is submitted,
--   fair_start  = max(the lane's virtual time, the finish tag of the tenant's last waiting job of that lane and mode)
--   fair_finish = fair_start + the job's estimated cost / the tenant's weight
-- and the lowest start tag goes first (FIFO within a tenant). A tenant with weight 2 advances half as fast, so it
-- gets twice the share of a tenant with weight 1 while both have work waiting.
alter table tenants add column weight double precision not null default 1 check (weight > 0 and weight <= 1000);

alter table jobs add column priority text not null default 'interactive' check (priority in ('interactive', 'bulk'));
alter table jobs add column dispatched_at timestamptz;
alter table jobs add column fair_start double precision not null default 0;
alter table jobs add column fair_finish double precision not null default 0;
-- jobs queued before fair dispatch have their message in the outbox already
update jobs set dispatched_at = queued_at where status in ('queued', 'running');

-- what waits, in dispatch order (the dispatcher's one index scan per pick)
create index jobs_waiting on jobs (priority, mode, fair_start, seq) where status = 'queued' and dispatched_at is null;
-- a tenant's last waiting job, for the next tag (one index probe per submit)
create index jobs_waiting_tenant on jobs (tenant_id, priority, mode, fair_finish desc) where status = 'queued' and dispatched_at is null;
-- published and not through the pipeline yet (moderation included): the in-flight depth the dispatcher keeps bounded
create index jobs_in_flight on jobs (mode, priority) where status in ('queued', 'running', 'moderating') and dispatched_at is not null;
-- measured throughput for the ETA: jobs started recently, per mode
create index jobs_started on jobs (mode, started_at) where started_at is not null;

-- The virtual time of each lane and mode: the start tag of the job last dispatched from it.
create table dispatch_clock (
    priority      text not null,
    mode          text not null,
    virtual_time  double precision not null default 0,
    primary key (priority, mode)
);
insert into dispatch_clock (priority, mode) values ('interactive', 'preview'), ('interactive', 'full'), ('bulk', 'preview'), ('bulk', 'full');

-- The concurrency quota (tenant_active_jobs) counts interactive jobs only: bulk work waits in its own lane and is
-- capped by its own limit, so a tenant's batch never takes the slots of its interactive requests.
create or replace function jobs_count_active() returns trigger language plpgsql as $$
declare
    delta int := 0;
begin
    if tg_op in ('INSERT', 'UPDATE') and new.status in ('queued', 'running') and new.priority = 'interactive' then
        delta := delta + 1;
    end if;
    if tg_op in ('UPDATE', 'DELETE') and old.status in ('queued', 'running') and old.priority = 'interactive' then
        delta := delta - 1;
    end if;
    if delta <> 0 then
        insert into tenant_active_jobs (tenant_id, slot, active)
        values (coalesce(new.tenant_id, old.tenant_id), floor(random() * 16)::smallint, delta)
        on conflict (tenant_id, slot) do update set active = tenant_active_jobs.active + excluded.active;
    end if;
    return null;
end $$;

-- Exact result cache (README: Result cache): a text-to-image job's key (model@version, engine, parameters, seed
-- included) and, for a job answered from an earlier one's released samples, that job.
alter table jobs add column cache_key text;
alter table jobs add column cached_from uuid references jobs (id);
create index jobs_cache on jobs (tenant_id, cache_key, seq desc) where cache_key is not null and status = 'succeeded';
