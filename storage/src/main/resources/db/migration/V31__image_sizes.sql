-- Per-job sizes (aspect-ratio buckets). A model lists the sizes it draws ('48x32,32x48,...'; empty: its native
-- square only, which every row written before this had). A job's width and height are its base picture's; null
-- for jobs written before this (their model's native square).
alter table models add column sizes text not null default '';
alter table jobs add column width integer;
alter table jobs add column height integer;
