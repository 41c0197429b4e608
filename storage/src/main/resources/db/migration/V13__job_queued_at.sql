-- The queue deadline counts from when a job was last queued, not from its creation: a job the sweeper
-- queues again after its worker vanished gets a full deadline to start again.
alter table jobs add column queued_at timestamptz;
update jobs set queued_at = created_at;
alter table jobs alter column queued_at set default now();
alter table jobs alter column queued_at set not null;
