-- Model packages registered at run time (POST /v1/admin/models): workers load them in the background, each
-- reports what became of it, and the gateway routes a version only once every live worker loaded it.
create table model_packages (
    id              uuid primary key,
    source          text not null,          -- s3://bucket/prefix#sha256=<model.json's>
    reason          text,
    requested_by    uuid,                   -- the admin key's tenant
    registered_at   timestamptz not null default now(),
    unregistered_at timestamptz             -- set: no longer routed; workers unload it once no job needs it
);

create table model_package_loads (
    package_id uuid not null references model_packages (id),
    worker     text not null,               -- the worker's lease owner id (one per process start)
    status     text not null,               -- loading | loaded | refused | unloaded
    model      text,                        -- name@version, once model.json was read
    detail     text,
    updated_at timestamptz not null default now(),
    primary key (package_id, worker)
);

-- Which workers are alive now: each one's package poller writes here every poll.
create table worker_heartbeats (
    worker  text primary key,
    seen_at timestamptz not null
);

-- A catalog entry that came from a registered package (null: from a worker's configured model paths).
alter table models add column package_id uuid;
