import { regenerateRecoveryCodes } from '../../../../src/server/auth/passkeys';
import { jsonResponse } from '../../../../src/server/http/responses';
import { adminMutation } from '../../../../src/server/http/routes';

export const dynamic = 'force-dynamic';

/** A fresh set of recovery codes for the signed-in admin, shown once; the old unused ones stop working. */
export function POST(request: Request): Promise<Response> {
  return adminMutation(request, async (s, admin) => jsonResponse({ recoveryCodes: await regenerateRecoveryCodes(s, admin.admin.id) }, { status: 201 }));
}
