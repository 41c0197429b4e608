-- genq schema v1: jobs, their samples, what every sample cost, and the transactional outbox.
-- Every tenant-owned row carries tenant_id from day one so isolation never needs a backfill.

create table jobs (
    id               uuid primary key,
    -- monotonically increasing, used for newest-first ordering and opaque pagination cursors
    seq              bigint generated always as identity unique,
    tenant_id        uuid not null,
    status           text not null check (status in
                       ('queued', 'running', 'moderating', 'succeeded', 'needs_review',
                        'rejected', 'failed', 'canceled')),
    mode             text not null check (mode in ('preview', 'full')),
    prompt           text not null,
    negative_prompt  text not null default '',
    num_samples      int not null check (num_samples between 1 and 16),
    seed             bigint not null,
    steps            int not null check (steps >= 1),
    guidance_scale   double precision not null,
    sampler          text not null,
    model            text not null,
    -- name@version of every model that actually ran, filled in by the worker
    model_version    text,
    prompt_truncated boolean not null default false,
    -- denoising steps completed across all stages; frozen by cancel (the worker's update is CAS on 'running')
    steps_done       int not null default 0,
    progress         double precision not null default 0 check (progress between 0 and 1),
    error_code       text,
    error_message    text,
    created_at       timestamptz not null default now(),
    started_at       timestamptz,
    finished_at      timestamptz,
    updated_at       timestamptz not null default now()
);
create index jobs_tenant_seq on jobs (tenant_id, seq desc);
create index jobs_tenant_status_seq on jobs (tenant_id, status, seq desc);

create table samples (
    job_id       uuid not null references jobs (id),
    idx          int not null check (idx >= 0),
    tenant_id    uuid not null,
    status       text not null check (status in ('pending', 'released', 'quarantined', 'rejected')),
    seed         bigint not null,
    width        int not null,
    height       int not null,
    object_key   text not null,
    size_bytes   bigint not null,
    sha256       text not null,
    created_at   timestamptz not null default now(),
    settled_at   timestamptz,
    primary key (job_id, idx)
);

-- One row per sample per stage, written exactly once (the unique key makes a duplicate delivery a no-op).
-- Canceled jobs get rows for the steps they ran; jobs failed by the platform get none.
create table sample_costs (
    job_id                 uuid not null references jobs (id),
    sample_idx             int not null,
    stage                  text not null check (stage in ('base', 'super_resolution')),
    tenant_id              uuid not null,
    model_version          text not null,
    steps                  int not null,
    compute_seconds        double precision not null check (compute_seconds >= 0),
    device_class           text not null,
    price_per_device_hour  numeric(12, 6) not null,
    cost_usd               numeric(18, 9) not null,
    created_at             timestamptz not null default now(),
    primary key (job_id, sample_idx, stage)
);
create index sample_costs_tenant_day on sample_costs (tenant_id, created_at);

-- Written in the same transaction as the state change it announces; a relay publishes and marks it sent.
create table outbox (
    id           bigint generated always as identity primary key,
    tenant_id    uuid not null,
    topic        text not null,
    message_key  text not null,
    payload      text not null,
    created_at   timestamptz not null default now(),
    sent_at      timestamptz,
    attempts     int not null default 0,
    last_error   text
);
create index outbox_unsent on outbox (id) where sent_at is null;
