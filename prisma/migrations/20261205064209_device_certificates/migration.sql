-- AlterTable
ALTER TABLE "devices" ADD COLUMN     "certificate" BYTEA,
ADD COLUMN     "certified_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "members" ADD COLUMN     "user_key" BYTEA,
ADD COLUMN     "user_key_set_at" TIMESTAMPTZ(3);
