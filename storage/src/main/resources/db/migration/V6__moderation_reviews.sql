-- Moderation: every sample's scores, and a human review queue with an append-only audit trail.

-- {"image": {"weapon": 0.93, ...}, "prompt": ["weapon"], "flagged": ["weapon"], "model": "emoji-safety@0.3000"}
alter table samples add column moderation text;

create table review_items (
    id                uuid primary key,
    tenant_id         uuid not null,
    job_id            uuid not null references jobs (id),
    sample_idx        int not null,
    status            text not null check (status in ('pending', 'approved', 'rejected')),
    -- comma-separated concepts that sent the sample here, and the scores behind them (JSON)
    concepts          text not null,
    scores            text not null,
    reasons           text not null,
    claimed_by        uuid,
    claimed_by_name   text,
    claim_expires_at  timestamptz,
    created_at        timestamptz not null default now(),
    decided_at        timestamptz,
    -- a rejected sample's quarantined bytes are deleted then (null: already deleted, or approved)
    purge_after       timestamptz,
    unique (job_id, sample_idx)
);
create index review_items_pending on review_items (tenant_id, created_at) where status = 'pending';
create index review_items_purge on review_items (purge_after) where purge_after is not null;

-- Who did what to a review item, when, with what note. Rows are only ever inserted.
create table review_events (
    id           bigint generated always as identity primary key,
    review_id    uuid not null references review_items (id),
    at           timestamptz not null default now(),
    actor_key_id uuid,
    actor_name   text not null,
    action       text not null check (action in ('queued', 'claimed', 'approved', 'rejected', 'purged')),
    note         text
);
create index review_events_review on review_events (review_id, id);

create function review_events_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'review_events is append-only';
end $$;
create trigger review_events_no_update before update or delete on review_events
    for each row execute function review_events_append_only();
