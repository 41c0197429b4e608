-- Variations: a job with a parent sample and a strength re-noises that released sample to the strength's
-- share of the schedule and denoises it again (SDEdit); null for every other job. 0 keeps the parent's pixels,
-- 1 is a fresh text-to-image run from the job's own seed.
alter table jobs add column strength double precision;
alter table jobs add constraint jobs_strength_range check (strength is null or (strength >= 0 and strength <= 1));
