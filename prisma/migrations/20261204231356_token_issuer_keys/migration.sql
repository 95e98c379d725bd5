-- Anonymous relay access (docs/protocol/admin-api.md §11): the Privacy Pass issuer keys and every
-- token key set signed over them.

-- CreateTable
CREATE TABLE "token_issuer_keys" (
    "token_key_id" BYTEA NOT NULL,
    "spki" BYTEA NOT NULL,
    "sealed_private_key" BYTEA,
    "issue_from" TIMESTAMPTZ(3) NOT NULL,
    "issue_until" TIMESTAMPTZ(3) NOT NULL,
    "accept_until" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "private_erased_at" TIMESTAMPTZ(3),

    CONSTRAINT "token_issuer_keys_pkey" PRIMARY KEY ("token_key_id")
);

-- CreateTable
CREATE TABLE "token_key_sets" (
    "version" INTEGER NOT NULL,
    "bytes" BYTEA NOT NULL,
    "issued_at" TIMESTAMPTZ(3) NOT NULL,
    "org_key_id" BYTEA NOT NULL,

    CONSTRAINT "token_key_sets_pkey" PRIMARY KEY ("version")
);

-- CreateIndex
CREATE UNIQUE INDEX "token_issuer_keys_spki_key" ON "token_issuer_keys"("spki");

-- CreateIndex
CREATE INDEX "token_issuer_keys_issue_from_idx" ON "token_issuer_keys"("issue_from");

-- A key issues before it stops, is accepted at least as long as it issues (token-key-set.ts
-- checkSet), and its private half is either sealed or recorded as erased, never both nor neither.
ALTER TABLE "token_issuer_keys" ADD CONSTRAINT "token_issuer_keys_window"
  CHECK ("issue_from" < "issue_until" AND "issue_until" <= "accept_until");
ALTER TABLE "token_issuer_keys" ADD CONSTRAINT "token_issuer_keys_private_half"
  CHECK (("sealed_private_key" IS NULL) = ("private_erased_at" IS NOT NULL));
ALTER TABLE "token_issuer_keys" ADD CONSTRAINT "token_issuer_keys_id_length" CHECK (octet_length("token_key_id") = 32);

-- Token key set versions only go up (a verifier never goes back, tokenKeySetSupersedes): a new set
-- must carry a higher version than every set stored, so two admin app instances cannot fork a
-- version; a stored set is never rewritten or deleted.
CREATE FUNCTION "token_key_sets_monotonic"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    RAISE EXCEPTION 'token_key_sets: a signed set is never rewritten or deleted (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW."version" <= COALESCE((SELECT MAX("version") FROM "token_key_sets"), 0) THEN
    RAISE EXCEPTION 'token_key_sets: version % does not go up', NEW."version" USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;
DO $$
BEGIN
  EXECUTE format('ALTER FUNCTION "token_key_sets_monotonic"() SET search_path = %I, pg_catalog, pg_temp', current_schema());
END $$;
CREATE TRIGGER "token_key_sets_only_up" BEFORE INSERT OR UPDATE OR DELETE ON "token_key_sets"
  FOR EACH ROW EXECUTE FUNCTION "token_key_sets_monotonic"();
CREATE TRIGGER "token_key_sets_no_truncate" BEFORE TRUNCATE ON "token_key_sets"
  FOR EACH STATEMENT EXECUTE FUNCTION "append_only_table"();
