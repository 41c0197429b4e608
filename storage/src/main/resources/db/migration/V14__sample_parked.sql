-- A sample moderation could not decide after its retries (a poison message: its object is gone, its event
-- cannot be processed) is parked: not released, not billed, counted and alerted on, so it no longer stalls
-- its partition. An operator can re-announce it (docs/runbooks/parked-samples.md).
alter table samples drop constraint samples_status_check;
alter table samples add constraint samples_status_check
    check (status in ('pending', 'released', 'quarantined', 'rejected', 'failed_quality', 'parked'));
