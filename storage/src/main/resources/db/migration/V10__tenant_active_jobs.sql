-- A tenant's queued + running jobs, kept by a trigger instead of counted per submit: counting grew with
-- the backlog (a tenant with 20,000 queued jobs paid for 20,000 index entries on every submit). The
-- count is spread over 16 slots per tenant so concurrent submits rarely wait on the same counter row;
-- the quota check sums the slots. Every status change of a job goes through the trigger, so the count
-- cannot drift from the jobs table.
create table tenant_active_jobs (
    tenant_id  uuid not null,
    slot       smallint not null,
    active     bigint not null,
    primary key (tenant_id, slot)
);

create function jobs_count_active() returns trigger language plpgsql as $$
declare
    delta int := 0;
begin
    if tg_op in ('INSERT', 'UPDATE') and new.status in ('queued', 'running') then
        delta := delta + 1;
    end if;
    if tg_op in ('UPDATE', 'DELETE') and old.status in ('queued', 'running') then
        delta := delta - 1;
    end if;
    if delta <> 0 then
        insert into tenant_active_jobs (tenant_id, slot, active)
        values (coalesce(new.tenant_id, old.tenant_id), floor(random() * 16)::smallint, delta)
        on conflict (tenant_id, slot) do update set active = tenant_active_jobs.active + excluded.active;
    end if;
    return null;
end $$;

create trigger jobs_active_count after insert or update of status or delete on jobs
    for each row execute function jobs_count_active();

-- the jobs already active (creating the trigger locked the table, so none slipped in between)
insert into tenant_active_jobs (tenant_id, slot, active)
select tenant_id, 0, count(*) from jobs where status in ('queued', 'running') group by tenant_id;
