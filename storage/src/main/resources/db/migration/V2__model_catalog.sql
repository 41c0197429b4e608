-- What the workers serve, registered by each worker at start: the gateway validates submissions
-- against it, so a new model package dropped into a worker needs no gateway change.
create table models (
    name                    text primary key,
    version                 text not null,
    kind                    text not null check (kind in ('text-to-image', 'super-resolution')),
    resolution              int not null,
    max_steps               int not null,
    samplers                text not null,   -- comma-separated
    default_steps           int not null,
    default_guidance_scale  double precision not null,
    default_sampler         text not null,
    license                 text not null default '',
    registered_at           timestamptz not null default now()
);
