-- The audit log becomes a hash chain (docs/protocol/audit-log.md §2) with signed checkpoints
-- (§3). The chain is computed here, in the database, by an insert trigger: every insert is chained,
-- whichever code or role makes it, and the app's role cannot disable the trigger (it owns no
-- table; docs/decisions/0008-audit-log.md).

-- §2: SHA-256 over the domain label, the previous hash and the event's fields, each of a fixed
-- size or length-prefixed, so that no two different events encode alike. `detail` is encoded as
-- PostgreSQL's text form of the jsonb value, which is canonical (keys sorted, no duplicates).
CREATE FUNCTION "audit_event_hash"(prev BYTEA, seq BIGINT, id UUID, at TIMESTAMPTZ, actor TEXT, action TEXT, detail JSONB)
RETURNS BYTEA LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT sha256(
    convert_to('OpenDescent audit event v1', 'UTF8') || '\x00'::bytea
    || prev
    || int8send(seq)
    || uuid_send(id)
    || int8send((extract(epoch FROM at) * 1000)::bigint)
    || int4send(octet_length(convert_to(actor, 'UTF8'))) || convert_to(actor, 'UTF8')
    || int4send(octet_length(convert_to(action, 'UTF8'))) || convert_to(action, 'UTF8')
    || int4send(octet_length(convert_to(detail::text, 'UTF8'))) || convert_to(detail::text, 'UTF8')
  )
$$;

-- Appends are serialised by a transaction-scoped advisory lock, so two transactions never take
-- the same seq or link to the same previous event: the second waits until the first ends, then
-- reads the first's event (READ COMMITTED takes a fresh snapshot per statement).
CREATE FUNCTION "audit_events_chain"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  last_seq BIGINT;
  last_hash BYTEA;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('opendescent:audit_events', 0));
  SELECT "seq", "hash" INTO last_seq, last_hash FROM "audit_events" ORDER BY "seq" DESC LIMIT 1;
  NEW."seq" := COALESCE(last_seq, 0) + 1;
  NEW."prev_hash" := COALESCE(last_hash, decode(repeat('00', 32), 'hex'));
  -- The column keeps milliseconds; hash exactly what is stored.
  NEW."at" := date_trunc('milliseconds', NEW."at");
  NEW."hash" := "audit_event_hash"(NEW."prev_hash", NEW."seq", NEW."id", NEW."at", NEW."actor", NEW."action", NEW."detail");
  RETURN NEW;
END;
$$;

-- A temporary table named audit_events (any role may create one) must not stand in for the real
-- one: resolve names in this schema, with pg_temp last.
DO $$
BEGIN
  EXECUTE format('ALTER FUNCTION "audit_events_chain"() SET search_path = %I, pg_catalog, pg_temp', current_schema());
  EXECUTE format('ALTER FUNCTION "audit_event_hash"(BYTEA, BIGINT, UUID, TIMESTAMPTZ, TEXT, TEXT, JSONB) SET search_path = pg_catalog, pg_temp');
END $$;

-- AlterTable: nullable first, so that existing events can be numbered and chained.
ALTER TABLE "audit_events" ADD COLUMN "hash" BYTEA,
ADD COLUMN "prev_hash" BYTEA,
ADD COLUMN "seq" BIGINT;

-- Existing events join the chain in the order they were recorded (at, then the UUIDv7 id).
ALTER TABLE "audit_events" DISABLE TRIGGER "audit_events_no_update_or_delete";
DO $$
DECLARE
  event RECORD;
  n BIGINT := 0;
  prev BYTEA := decode(repeat('00', 32), 'hex');
  h BYTEA;
BEGIN
  FOR event IN SELECT "id", "at", "actor", "action", "detail" FROM "audit_events" ORDER BY "at", "id" LOOP
    n := n + 1;
    h := "audit_event_hash"(prev, n, event."id", event."at", event."actor", event."action", event."detail");
    UPDATE "audit_events" SET "seq" = n, "prev_hash" = prev, "hash" = h WHERE "id" = event."id";
    prev := h;
  END LOOP;
END $$;
ALTER TABLE "audit_events" ENABLE TRIGGER "audit_events_no_update_or_delete";

ALTER TABLE "audit_events" ALTER COLUMN "hash" SET NOT NULL,
ALTER COLUMN "prev_hash" SET NOT NULL,
ALTER COLUMN "seq" SET NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "audit_events_seq_key" ON "audit_events"("seq");

CREATE TRIGGER "audit_events_chain" BEFORE INSERT ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION "audit_events_chain"();

-- CreateTable
CREATE TABLE "audit_checkpoints" (
    "seq" BIGINT NOT NULL,
    "hash" BYTEA NOT NULL,
    "signed_at" TIMESTAMPTZ(3) NOT NULL,
    "org_key_id" BYTEA NOT NULL,
    "signature" BYTEA NOT NULL,

    CONSTRAINT "audit_checkpoints_pkey" PRIMARY KEY ("seq")
);

-- Checkpoints are append-only too (the app's role also lacks the privileges; this stops the owner's
-- own mistakes and the embedded database, where there is one role).
CREATE FUNCTION "append_only_table"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER "audit_checkpoints_no_update_or_delete" BEFORE UPDATE OR DELETE ON "audit_checkpoints"
  FOR EACH ROW EXECUTE FUNCTION "append_only_table"();
CREATE TRIGGER "audit_checkpoints_no_truncate" BEFORE TRUNCATE ON "audit_checkpoints"
  FOR EACH STATEMENT EXECUTE FUNCTION "append_only_table"();

-- Deployments whose app role was set up before this migration (docs/decisions/0008-audit-log.md):
-- default privileges may have granted it UPDATE or DELETE on the new table. Only INSERT and SELECT
-- are kept for anyone but the owner; `npm run admin:db-roles` re-checks the whole set.
DO $$
DECLARE
  holder TEXT;
BEGIN
  FOR holder IN
    SELECT DISTINCT grantee FROM information_schema.table_privileges
    WHERE table_schema = current_schema() AND table_name IN ('audit_events', 'audit_checkpoints')
      AND privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER', 'REFERENCES') AND grantee <> current_user
  LOOP
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON "audit_events", "audit_checkpoints" FROM %s',
      CASE WHEN holder = 'PUBLIC' THEN 'PUBLIC' ELSE quote_ident(holder) END);
  END LOOP;
END $$;
