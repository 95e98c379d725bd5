-- CreateEnum
CREATE TYPE "device_status" AS ENUM ('active', 'revoked');

-- CreateEnum
CREATE TYPE "revocation_reason" AS ENUM ('unspecified', 'lost_or_stolen', 'compromised', 'left_organisation', 'replaced');

-- AlterTable
ALTER TABLE "admins" ADD COLUMN     "disabled_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "organisation" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "org_id" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "organisation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "org_keys" (
    "id" UUID NOT NULL,
    "key_id" BYTEA NOT NULL,
    "public_key" BYTEA NOT NULL,
    "sealed_private_key" BYTEA,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "activated_at" TIMESTAMPTZ(3),
    "retired_at" TIMESTAMPTZ(3),

    CONSTRAINT "org_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "admin_credentials" (
    "id" TEXT NOT NULL,
    "admin_id" UUID NOT NULL,
    "public_key" BYTEA NOT NULL,
    "counter" BIGINT NOT NULL DEFAULT 0,
    "transports" TEXT[],
    "device_type" TEXT NOT NULL,
    "backed_up" BOOLEAN NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "admin_credentials_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "admin_sessions" (
    "id" UUID NOT NULL,
    "token_hash" BYTEA NOT NULL,
    "admin_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "admin_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "admin_invitations" (
    "id" UUID NOT NULL,
    "token_hash" BYTEA NOT NULL,
    "purpose" TEXT NOT NULL,
    "admin_id" UUID,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "cancelled_at" TIMESTAMPTZ(3),

    CONSTRAINT "admin_invitations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "admin_recovery_codes" (
    "id" UUID NOT NULL,
    "admin_id" UUID NOT NULL,
    "code_hash" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "used_at" TIMESTAMPTZ(3),

    CONSTRAINT "admin_recovery_codes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webauthn_challenges" (
    "id" UUID NOT NULL,
    "challenge" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "admin_id" UUID,
    "display_name" TEXT,
    "invitation_id" UUID,
    "recovery_code_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "webauthn_challenges_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "members" (
    "id" UUID NOT NULL,
    "address" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "members_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "devices" (
    "id" BYTEA NOT NULL,
    "member_id" UUID NOT NULL,
    "signing_key" BYTEA NOT NULL,
    "agreement_key" BYTEA NOT NULL,
    "prekey_slot_id" BYTEA,
    "status" "device_status" NOT NULL DEFAULT 'active',
    "enrolled_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_renewed_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "revocation_reason" "revocation_reason",

    CONSTRAINT "devices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "enrolment_codes" (
    "id" UUID NOT NULL,
    "handle" TEXT NOT NULL,
    "secret_hash" BYTEA NOT NULL,
    "member_id" UUID NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "used_at" TIMESTAMPTZ(3),
    "device_id" BYTEA,
    "cancelled_at" TIMESTAMPTZ(3),

    CONSTRAINT "enrolment_codes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "attestations" (
    "id" UUID NOT NULL,
    "device_id" BYTEA NOT NULL,
    "org_key_id" BYTEA NOT NULL,
    "issued_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "bytes" BYTEA NOT NULL,

    CONSTRAINT "attestations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "revocations" (
    "device_id" BYTEA NOT NULL,
    "revoked_at" TIMESTAMPTZ(3) NOT NULL,
    "reason" "revocation_reason" NOT NULL,
    "revoked_by" TEXT NOT NULL,
    "list_version" INTEGER NOT NULL,

    CONSTRAINT "revocations_pkey" PRIMARY KEY ("device_id")
);

-- CreateTable
CREATE TABLE "revocation_lists" (
    "version" INTEGER NOT NULL,
    "issued_at" TIMESTAMPTZ(3) NOT NULL,
    "org_key_id" BYTEA NOT NULL,
    "bytes" BYTEA NOT NULL,

    CONSTRAINT "revocation_lists_pkey" PRIMARY KEY ("version")
);

-- CreateTable
CREATE TABLE "device_request_nonces" (
    "nonce" BYTEA NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "device_request_nonces_pkey" PRIMARY KEY ("nonce")
);

-- CreateTable
CREATE TABLE "rate_limit_counters" (
    "key" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "rate_limit_counters_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "organisation_org_id_key" ON "organisation"("org_id");

-- CreateIndex
CREATE UNIQUE INDEX "org_keys_key_id_key" ON "org_keys"("key_id");

-- CreateIndex
CREATE UNIQUE INDEX "org_keys_public_key_key" ON "org_keys"("public_key");

-- CreateIndex
CREATE INDEX "admin_credentials_admin_id_idx" ON "admin_credentials"("admin_id");

-- CreateIndex
CREATE UNIQUE INDEX "admin_sessions_token_hash_key" ON "admin_sessions"("token_hash");

-- CreateIndex
CREATE INDEX "admin_sessions_admin_id_idx" ON "admin_sessions"("admin_id");

-- CreateIndex
CREATE UNIQUE INDEX "admin_invitations_token_hash_key" ON "admin_invitations"("token_hash");

-- CreateIndex
CREATE UNIQUE INDEX "admin_recovery_codes_code_hash_key" ON "admin_recovery_codes"("code_hash");

-- CreateIndex
CREATE INDEX "admin_recovery_codes_admin_id_idx" ON "admin_recovery_codes"("admin_id");

-- CreateIndex
CREATE UNIQUE INDEX "webauthn_challenges_challenge_key" ON "webauthn_challenges"("challenge");

-- CreateIndex
CREATE INDEX "webauthn_challenges_expires_at_idx" ON "webauthn_challenges"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "members_address_key" ON "members"("address");

-- CreateIndex
CREATE UNIQUE INDEX "devices_signing_key_key" ON "devices"("signing_key");

-- CreateIndex
CREATE INDEX "devices_member_id_idx" ON "devices"("member_id");

-- CreateIndex
CREATE UNIQUE INDEX "enrolment_codes_handle_key" ON "enrolment_codes"("handle");

-- CreateIndex
CREATE UNIQUE INDEX "enrolment_codes_device_id_key" ON "enrolment_codes"("device_id");

-- CreateIndex
CREATE INDEX "enrolment_codes_member_id_idx" ON "enrolment_codes"("member_id");

-- CreateIndex
CREATE INDEX "attestations_device_id_expires_at_idx" ON "attestations"("device_id", "expires_at");

-- CreateIndex
CREATE INDEX "attestations_org_key_id_expires_at_idx" ON "attestations"("org_key_id", "expires_at");

-- CreateIndex
CREATE INDEX "device_request_nonces_expires_at_idx" ON "device_request_nonces"("expires_at");

-- AddForeignKey
ALTER TABLE "admin_credentials" ADD CONSTRAINT "admin_credentials_admin_id_fkey" FOREIGN KEY ("admin_id") REFERENCES "admins"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "admin_sessions" ADD CONSTRAINT "admin_sessions_admin_id_fkey" FOREIGN KEY ("admin_id") REFERENCES "admins"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "admin_recovery_codes" ADD CONSTRAINT "admin_recovery_codes_admin_id_fkey" FOREIGN KEY ("admin_id") REFERENCES "admins"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "devices" ADD CONSTRAINT "devices_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "enrolment_codes" ADD CONSTRAINT "enrolment_codes_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "attestations" ADD CONSTRAINT "attestations_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "devices"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Hand-written below (Prisma's schema language cannot express these); the drift check ignores them.

-- One organisation per admin app.
ALTER TABLE "organisation" ADD CONSTRAINT "organisation_single_row" CHECK ("id" = 1);

-- The audit log is append-only: no code path updates or deletes a line, and the database refuses
-- it too, so a bug or an injected statement cannot rewrite history (docs/decisions/0006-admin-auth.md).
CREATE FUNCTION "audit_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER "audit_events_no_update_or_delete" BEFORE UPDATE OR DELETE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION "audit_events_append_only"();
CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON "audit_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_events_append_only"();

-- Revocation list versions only go up (attestations.md §3.4): a new list must carry a higher
-- version than every list stored, and a stored list is never rewritten.
CREATE FUNCTION "revocation_lists_monotonic"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    RAISE EXCEPTION 'revocation_lists: a signed list is never rewritten' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW."version" <= COALESCE((SELECT MAX("version") FROM "revocation_lists"), 0) THEN
    RAISE EXCEPTION 'revocation_lists: version % does not go up', NEW."version" USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER "revocation_lists_only_up" BEFORE INSERT OR UPDATE ON "revocation_lists"
  FOR EACH ROW EXECUTE FUNCTION "revocation_lists_monotonic"();
