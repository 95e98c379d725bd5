-- CreateEnum
CREATE TYPE "member_status" AS ENUM ('active', 'disabled');

-- AlterTable
ALTER TABLE "admin_invitations" ADD COLUMN     "cancelled_by" TEXT;

-- AlterTable
ALTER TABLE "members" ADD COLUMN     "address_skeleton" TEXT,
ADD COLUMN     "directory_suspended_at" TIMESTAMPTZ(3),
ADD COLUMN     "disabled_at" TIMESTAMPTZ(3),
ADD COLUMN     "status" "member_status" NOT NULL DEFAULT 'active';

-- DropTable
DROP TABLE "rate_limit_counters";

-- CreateTable
CREATE TABLE "directory_alerts" (
    "id" UUID NOT NULL,
    "member_id" UUID,
    "device_id" BYTEA,
    "scope" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "opened_at" TIMESTAMPTZ(3) NOT NULL,
    "last_hit_at" TIMESTAMPTZ(3) NOT NULL,
    "hits" INTEGER NOT NULL DEFAULT 1,
    "acknowledged_at" TIMESTAMPTZ(3),
    "acknowledged_by" TEXT,

    CONSTRAINT "directory_alerts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rate_limit_hits" (
    "id" BIGSERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "rate_limit_hits_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "directory_alerts_member_id_acknowledged_at_idx" ON "directory_alerts"("member_id", "acknowledged_at");

-- CreateIndex
CREATE INDEX "directory_alerts_acknowledged_at_idx" ON "directory_alerts"("acknowledged_at");

-- CreateIndex
CREATE INDEX "rate_limit_hits_key_at_idx" ON "rate_limit_hits"("key", "at");

-- CreateIndex
CREATE INDEX "rate_limit_hits_at_idx" ON "rate_limit_hits"("at");

-- CreateIndex
CREATE INDEX "admin_invitations_created_by_idx" ON "admin_invitations"("created_by");

-- CreateIndex
CREATE UNIQUE INDEX "members_address_skeleton_key" ON "members"("address_skeleton");

-- AddForeignKey
ALTER TABLE "directory_alerts" ADD CONSTRAINT "directory_alerts_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE SET NULL ON UPDATE CASCADE;
