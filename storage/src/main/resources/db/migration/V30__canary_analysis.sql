-- Automatic canary analysis: while a canary takes a share of a model's jobs, a gateway compares it with the
-- stable version on the jobs pinned since the rollout last changed, and rolls it back or promotes it
-- (changed_by 'canary-analysis'), keeping the statistics behind the decision with the change. An operator can
-- hold the analysis off for a rollout (analysis = false); every change starts a new window.
alter table model_rollouts add column analysis boolean not null default true;
alter table model_rollout_changes add column analysis boolean not null default true;
alter table model_rollout_changes add column statistics text;
-- one model's pinned jobs in a window, read every few seconds while a canary runs
create index jobs_pinned_window on jobs (model, created_at) where pinned_version is not null;
