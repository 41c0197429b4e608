-- What admission reserved against the tenant's monthly budget for a job not yet billed (estimated from the
-- model's recent cost per sample-step). Queued and running jobs' reservations count with recorded cost, so
-- concurrent submits cannot overrun a budget by the concurrency quota; once a job's cost is recorded (it
-- leaves queued/running in that transaction) its reservation no longer counts.
alter table jobs add column reserved_usd numeric(18, 9);

-- the estimate reads the recent succeeded jobs of a model and mode
create index jobs_succeeded_model on jobs (model, mode, created_at desc) where status = 'succeeded';
