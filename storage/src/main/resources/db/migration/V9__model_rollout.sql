-- During a rollout a model is served in two versions at once (stable and canary): the catalog keeps one
-- row per version, and each job is pinned at submit to the base-model version the gateway chose for it
-- (null: whichever version the worker serves by default). model_version still records what ran.
alter table models drop constraint models_pkey;
alter table models add primary key (name, version);
alter table jobs add column pinned_version text;
