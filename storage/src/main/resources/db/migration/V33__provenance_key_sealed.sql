-- The provenance private key sealed (README: Provenance): moderation seals it with AES-256-GCM under
-- genq.provenance.sealing-keys, which only moderation is given, so a dump or backup of this database, or the gateway
-- (which reads it to publish public keys), cannot sign. A key from before V33 was in the clear (and is in every older
-- dump): moderation's next start retires it, erasing its private part (both columns null: it verifies, never signs).
alter table provenance_keys alter column private_key drop not null;
alter table provenance_keys add column sealed_private_key text;
alter table provenance_keys add constraint provenance_keys_one_private_form
    check (private_key is null or sealed_private_key is null);
