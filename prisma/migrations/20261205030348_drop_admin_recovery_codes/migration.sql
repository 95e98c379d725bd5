-- DropForeignKey
ALTER TABLE "admin_recovery_codes" DROP CONSTRAINT "admin_recovery_codes_admin_id_fkey";

-- AlterTable
ALTER TABLE "webauthn_challenges" DROP COLUMN "recovery_code_id";

-- DropTable
DROP TABLE "admin_recovery_codes";
