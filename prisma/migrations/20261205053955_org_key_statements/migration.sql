-- CreateTable
CREATE TABLE "org_key_statements" (
    "sequence" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "subject_id" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "bytes" BYTEA NOT NULL,

    CONSTRAINT "org_key_statements_pkey" PRIMARY KEY ("sequence")
);

-- Statements are the chain verifiers follow (attestations.md §4.3): each one takes the next
-- sequence, and a signed statement is never rewritten or removed.
CREATE FUNCTION "org_key_statements_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    RAISE EXCEPTION 'org_key_statements: a signed statement is never rewritten or removed' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW."sequence" <> COALESCE((SELECT MAX("sequence") FROM "org_key_statements"), 0) + 1 THEN
    RAISE EXCEPTION 'org_key_statements: sequence % is not the next one', NEW."sequence" USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER "org_key_statements_in_sequence" BEFORE INSERT OR UPDATE OR DELETE ON "org_key_statements"
  FOR EACH ROW EXECUTE FUNCTION "org_key_statements_append_only"();
