-- CreateTable
CREATE TABLE "log_entries" (
    "index" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "leaf_hash" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "log_entries_pkey" PRIMARY KEY ("index")
);

-- CreateTable
CREATE TABLE "log_tree_heads" (
    "tree_size" INTEGER NOT NULL,
    "root" BYTEA NOT NULL,
    "signed_at" TIMESTAMPTZ(3) NOT NULL,
    "bytes" BYTEA NOT NULL,

    CONSTRAINT "log_tree_heads_pkey" PRIMARY KEY ("tree_size")
);

-- CreateIndex
CREATE INDEX "log_entries_leaf_hash_idx" ON "log_entries"("leaf_hash");

-- The log only grows (transparency-log.md §4.2): each entry takes the next index, and an entry
-- is never rewritten or removed; a signed tree head is never rewritten either.
CREATE FUNCTION "log_entries_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    RAISE EXCEPTION 'log_entries: an entry is never rewritten or removed' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW."index" <> COALESCE((SELECT MAX("index") FROM "log_entries"), -1) + 1 THEN
    RAISE EXCEPTION 'log_entries: index % is not the next one', NEW."index" USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER "log_entries_in_order" BEFORE INSERT OR UPDATE OR DELETE ON "log_entries"
  FOR EACH ROW EXECUTE FUNCTION "log_entries_append_only"();

CREATE FUNCTION "log_tree_heads_never_rewritten"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'log_tree_heads: a signed tree head is never rewritten or removed' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER "log_tree_heads_kept" BEFORE UPDATE OR DELETE ON "log_tree_heads"
  FOR EACH ROW EXECUTE FUNCTION "log_tree_heads_never_rewritten"();
