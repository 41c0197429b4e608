-- What a job pays of its prices (quoted per step, or compute x price per device-hour): 1 interactive, the gateway's
-- genq.quotas.bulk-price-factor for bulk work, set at submit, so a bulk job's dry run and reservation already say
-- the discounted figure. The worker reads it from the job (it no longer has a factor of its own). Unfinished jobs
-- accepted before this take the former default.
alter table jobs add column price_factor numeric;
update jobs set price_factor = case when priority = 'bulk' then 0.5 else 1 end where status in ('queued', 'running');
