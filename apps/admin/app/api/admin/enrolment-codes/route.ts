import QRCode from 'qrcode';
import { actorOf } from '../../../../src/server/auth/sessions';
import { createEnrolmentCode } from '../../../../src/server/devices/enrolment-codes';
import { jsonResponse } from '../../../../src/server/http/responses';
import { adminMutation, field } from '../../../../src/server/http/routes';

export const dynamic = 'force-dynamic';

/** A one-time enrolment code for a staff member, as text and as a QR code (SVG, made here). */
export function POST(request: Request): Promise<Response> {
  return adminMutation(request, async (s, admin, body) => {
    const created = await createEnrolmentCode(s, actorOf(admin), {
      address: field(body, 'address'),
      displayName: field(body, 'displayName'),
    });
    const qrSvg = await QRCode.toString(created.uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return jsonResponse(
      {
        id: created.id,
        code: created.code,
        uri: created.uri,
        qrSvg,
        expiresAt: created.expiresAt.toISOString(),
        member: { id: created.member.id, address: created.member.address, displayName: created.member.displayName },
      },
      { status: 201 },
    );
  });
}
