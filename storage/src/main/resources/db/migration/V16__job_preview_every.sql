-- Live previews: every how many denoising steps a running job shows each sample's current estimate on its
-- event stream (0: never). Previews are moderated and sent, never stored or billed beyond their scoring.
alter table jobs add column preview_every integer not null default 0;
