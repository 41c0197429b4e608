-- Prompt adherence and diversity: moderation's judge gives each picture an adherence score (in the
-- quality verdict) and image features; a job records how different its samples are (mean pairwise
-- cosine distance of those features), so a collapsed model (identical samples) is visible.
alter table samples add column features bytea;
alter table jobs add column diversity double precision;
