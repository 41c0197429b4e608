-- Idempotency-Key on POST /v1/jobs: the same key with the same body returns the same job for 24 hours.
create table idempotency_keys (
    tenant_id     uuid not null,
    key           text not null,
    request_hash  text not null,
    job_id        uuid not null references jobs (id),
    created_at    timestamptz not null default now(),
    primary key (tenant_id, key)
);
create index idempotency_keys_created on idempotency_keys (created_at);
