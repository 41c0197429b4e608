-- Output integrity: moderation gives every sample a quality verdict beside the safety one; a sample that
-- is not a picture (blank, near-constant, undecodable) ends 'failed_quality', is never released and is
-- not billed. Cost rows stay (what the compute was), marked not billable.
alter table samples drop constraint samples_status_check;
alter table samples add constraint samples_status_check
    check (status in ('pending', 'released', 'quarantined', 'rejected', 'failed_quality'));
alter table samples add column quality text;
alter table sample_costs add column billable boolean not null default true;
