-- Uploads the safety policy flags go to human review when moderation is configured so
-- (genq.moderation.uploads.on-flag=review): 'in_review' until a reviewer accepts or rejects (flagged) them.
alter table uploads drop constraint uploads_status_check;
alter table uploads add constraint uploads_status_check check (status in ('scanning', 'accepted', 'flagged', 'in_review'));
