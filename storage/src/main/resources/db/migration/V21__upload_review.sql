-- Uploads the safety policy flags go to human review when moderation is configured so
-- (genq.moderation.uploads.on-flag=review): 'in_review' until a reviewer accepts or rejects (flagged) them.
alter table uploads drop constraint uploads_status_check;
alter table uploads add constraint uploads_status_check check (status in ('scanning', 'accepted', 'flagged', 'in_review'));
-- Scanning claims an upload for a while (so several moderation instances never score one at once, without holding
-- a row lock while it is scored) and counts the tries: one that cannot be scored after a few is flagged.
alter table uploads add column scan_claimed_until timestamptz;
alter table uploads add column scan_attempts integer not null default 0;
