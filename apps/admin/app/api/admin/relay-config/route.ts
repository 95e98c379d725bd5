import { recordAudit } from '../../../../src/server/audit/audit-log';
import { actorOf } from '../../../../src/server/auth/sessions';
import { adminRead } from '../../../../src/server/http/routes';
import { orgPublicConfig, relayConfigFile } from '../../../../src/server/org/organisation';

export const dynamic = 'force-dynamic';

/** The relays' environment file (RELAY_ORG_ID, RELAY_ORG_PUBLIC_KEYS, RELAY_REVOCATION_LIST_URL, RELAY_TOKEN_KEYS_URL). */
export function GET(request: Request): Promise<Response> {
  return adminRead(request, async (s, admin) => {
    const text = relayConfigFile(await orgPublicConfig(s), s.config.publicUrl, s.now());
    await recordAudit(s.prisma, actorOf(admin), 'org.relay_config_exported');
    return new Response(text, {
      headers: {
        'Content-Type': 'text/plain; charset=utf-8',
        'Content-Disposition': 'attachment; filename="opendescent-relay.env"',
        'Cache-Control': 'no-store',
      },
    });
  });
}
