-- A client can delete a finished job (DELETE /v1/jobs/{id}): its images leave every bucket, its prompt is
-- redacted and its webhook payloads emptied, while the row and its cost rows stay for billing and usage.
-- A deleted job is gone from the API (404) and never answers from the result cache.
alter table jobs add column deleted_at timestamptz;
