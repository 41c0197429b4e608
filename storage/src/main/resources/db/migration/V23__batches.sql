-- Batches (POST /v1/batches): up to 10,000 jobs in the bulk lane submitted at once, followed as one. An item refers to
-- its job; an item whose idempotency key made a job earlier refers to that job, so a job may belong to two batches.
create table batches (
    id              uuid primary key,
    tenant_id       uuid not null references tenants (id),
    items           int not null check (items between 1 and 100000),
    webhook_url     text,
    created_at      timestamptz not null default now(),
    canceled_at     timestamptz,
    -- set once, when every item's job has ended; batch.completed is announced in the same transaction
    completed_at    timestamptz
);
create index batches_tenant on batches (tenant_id, created_at desc);
create index batches_open on batches (created_at) where completed_at is null;

create table batch_items (
    batch_id  uuid not null references batches (id),
    idx       int not null,
    job_id    uuid not null references jobs (id),
    primary key (batch_id, idx)
);
create index batch_items_job on batch_items (job_id);

-- batch.completed is a delivery without a job
alter table webhook_deliveries alter column job_id drop not null;
alter table webhook_deliveries add column batch_id uuid references batches (id);
