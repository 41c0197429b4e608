-- Uploads: images a tenant sends as inputs (image-to-image, inpainting masks). The gateway checks and normalises
-- each one and stores it as a PNG in the uploads bucket; moderation scans it ('scanning' until then) and accepts
-- or flags it. A job may use only an accepted upload of its own tenant that has not expired.
create table uploads (
    id          uuid primary key,
    tenant_id   uuid        not null,
    status      text        not null default 'scanning' check (status in ('scanning', 'accepted', 'flagged')),
    format      text        not null,
    width       integer     not null,
    height      integer     not null,
    bytes       integer     not null,
    object_key  text        not null,
    reasons     text,
    created_at  timestamptz not null default now(),
    scanned_at  timestamptz,
    expires_at  timestamptz not null
);
create index uploads_scanning on uploads (created_at) where status = 'scanning';
create index uploads_expiry on uploads (expires_at);
-- image-to-image: the upload a job starts from (its strength is the jobs.strength of V17) and, for inpainting,
-- the mask upload (white: redrawn, black: kept)
alter table jobs add column init_upload uuid;
alter table jobs add column mask_upload uuid;
