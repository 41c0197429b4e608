-- Deleting a job expires the uploads it used unless another job not deleted names them: finding those jobs must
-- not scan every job.
create index jobs_init_upload on jobs (init_upload) where init_upload is not null;
create index jobs_mask_upload on jobs (mask_upload) where mask_upload is not null;
