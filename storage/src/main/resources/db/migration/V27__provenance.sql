-- Provenance (README: Provenance): the deployment's Ed25519 keys that sign each released PNG's manifest. Moderation
-- signs with the newest; the gateway publishes every public key (/.well-known/genq-provenance) and verifies with the
-- one a manifest names. The private key is readable by whoever reads this database (see the runbook).
create table provenance_keys (
    kid text primary key,
    public_key bytea not null,
    private_key bytea not null,
    created_at timestamptz not null default now()
);
-- a perceptual fingerprint of each stamped sample (176-bit difference hash): finds a re-encoded or resized copy;
-- the verify endpoint reads the most recent released ones
alter table samples add column fingerprint bytea;
create index samples_fingerprinted on samples (created_at desc) where fingerprint is not null and status = 'released';
