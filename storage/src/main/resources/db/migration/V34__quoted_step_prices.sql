-- A job is billed at the price quoted when it was accepted: per sample and per step of each stage, from the model's
-- measured cost (the dry run's and the reservation's figure), so the same job costs the same whatever the machine's
-- load did to its wall time. Null: no measured rate for that stage when the job was accepted (a model's first jobs,
-- jobs written before this); such a stage is billed as measured (compute seconds x price per device-hour).
alter table jobs add column base_usd_per_step numeric;
alter table jobs add column upscale_usd_per_step numeric;
-- what a cost row charged per step (the quote times the lane's price factor); null: charged as measured
alter table sample_costs add column usd_per_step numeric;
