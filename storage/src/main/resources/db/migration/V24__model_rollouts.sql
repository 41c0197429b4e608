-- Which version of each model new jobs get, moved from configuration into Postgres: an operator changes it
-- through the admin API and every gateway follows within seconds, without a restart. Configuration only
-- seeds it: a gateway applies genq.rollout.* at start where it differs from what configuration last set
-- (configured), so an unchanged configuration never undoes a change made through the API. Every change is
-- kept, with who made it and why.
create table model_rollouts (
    model          text primary key,
    stable_version text,
    canary_version text,
    canary_share   double precision not null default 0 check (canary_share >= 0 and canary_share <= 1),
    configured     text,
    updated_at     timestamptz not null default now(),
    check (canary_version is null or stable_version is null or canary_version <> stable_version)
);

create table model_rollout_changes (
    id             bigserial primary key,
    model          text not null,
    stable_version text,
    canary_version text,
    canary_share   double precision not null,
    changed_by     text not null,
    reason         text,
    changed_at     timestamptz not null default now()
);
create index model_rollout_changes_model on model_rollout_changes (model, id);
