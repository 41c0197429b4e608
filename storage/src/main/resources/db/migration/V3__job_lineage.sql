-- An upscale job is a full job whose super-resolution stage starts from one released preview sample.
alter table jobs
    add column parent_id     uuid references jobs (id),
    add column parent_sample int,
    add constraint jobs_parent_complete check ((parent_id is null) = (parent_sample is null));
create index jobs_parent on jobs (parent_id) where parent_id is not null;
