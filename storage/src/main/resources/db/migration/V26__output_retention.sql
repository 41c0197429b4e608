-- A tenant's outputs can be kept for a set time: past output_retention_days after a job finished, the gateway's
-- retention purger deletes it as DELETE /v1/jobs/{id} would (images gone, prompt redacted, cost rows kept).
-- null: kept until its client deletes it.
alter table tenants add column output_retention_days int check (output_retention_days between 1 and 3650);
create index jobs_finished_undeleted on jobs (tenant_id, finished_at) where deleted_at is null and finished_at is not null;
-- a deletion keeps an image another job still shows (a result-cache answer names the earlier job's objects)
create index samples_object_key on samples (object_key);
