-- Tenants with their quotas, API keys stored only as a hash, and webhook deliveries persisted with every attempt.

create table tenants (
    id                   uuid primary key,
    name                 text not null unique check (length(name) between 1 and 100),
    -- null: the gateway's configured default
    max_concurrent_jobs  int check (max_concurrent_jobs >= 0),
    -- null: no budget; checked at submit against this calendar month's (UTC) cost
    monthly_budget_usd   numeric(18, 6) check (monthly_budget_usd >= 0),
    created_at           timestamptz not null default now()
);
-- the tenant every job so far belonged to, and the home of the bootstrap keys
insert into tenants (id, name) values ('00000000-0000-0000-0000-000000000001', 'default');

-- The raw key (gq_...) is shown once at creation; only its SHA-256 is kept. `prefix` lets people tell keys apart.
create table api_keys (
    id                    uuid primary key,
    tenant_id             uuid not null references tenants (id),
    name                  text not null,
    prefix                text not null,
    key_hash              text not null unique,
    roles                 text not null,
    -- null: the gateway's configured default
    rate_limit_per_second double precision check (rate_limit_per_second > 0),
    created_at            timestamptz not null default now(),
    revoked_at            timestamptz
);
create index api_keys_tenant on api_keys (tenant_id);

alter table jobs add column webhook_url text;
-- comma-separated event types; null = every event
alter table jobs add column webhook_events text;

-- Standard Webhooks signing secrets (whsec_...). A rotation expires the old secret after a grace period;
-- until then deliveries carry one signature per live secret.
create table webhook_secrets (
    id          bigint generated always as identity primary key,
    tenant_id   uuid not null references tenants (id),
    secret      text not null,
    created_at  timestamptz not null default now(),
    expires_at  timestamptz
);
create index webhook_secrets_tenant on webhook_secrets (tenant_id, id desc);

-- An endpoint that answered 410 Gone gets nothing more until it is enabled again.
create table webhook_disabled_endpoints (
    tenant_id    uuid not null references tenants (id),
    url          text not null,
    disabled_at  timestamptz not null default now(),
    reason       text not null,
    primary key (tenant_id, url)
);

-- One row per event per job; the id is the webhook-id, the same on every attempt.
create table webhook_deliveries (
    id               text primary key,
    tenant_id        uuid not null,
    job_id           uuid not null references jobs (id),
    event_type       text not null,
    url              text not null,
    payload          text not null,
    status           text not null check (status in ('pending', 'succeeded', 'failed', 'endpoint_disabled')),
    attempts         int not null default 0,
    next_attempt_at  timestamptz,
    -- a dispatcher holds a delivery until then; an expired lease (dead gateway) frees it again
    lease_until      timestamptz,
    created_at       timestamptz not null default now(),
    finished_at      timestamptz
);
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'pending';
create index webhook_deliveries_job on webhook_deliveries (job_id, created_at);

create table webhook_attempts (
    delivery_id      text not null references webhook_deliveries (id),
    attempt          int not null,
    attempted_at     timestamptz not null default now(),
    duration_ms      int not null,
    response_status  int,
    error            text,
    primary key (delivery_id, attempt)
);
