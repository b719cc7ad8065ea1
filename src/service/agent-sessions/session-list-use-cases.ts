import type { AgentSessionListQuery } from '../../contract/agent-session-list.ts';
import type { AgentSession } from '../../contract/agent-sessions.ts';
import { ID_PATTERN } from '../../domain/ids.ts';
import { NotFoundError } from '../../domain/pconn-error.ts';
import type { RequestContext } from '../../domain/request-context.ts';
import { findSessionById, listSessions } from '../../store/agent-sessions/session-list.ts';
import type { Executor } from '../../store/database.ts';
import { ResourceRepository } from '../../store/resources.ts';
import type { StoredCampaign } from '../resources/campaigns.ts';
import { decodeOpaqueCursor, type Page } from '../resources/resource-service.ts';
import { presentSession } from './present-session.ts';

const campaigns = new ResourceRepository<StoredCampaign>('campaigns');
const ID = new RegExp(ID_PATTERN);

/** GET /v1/agent-sessions: the tenant's sessions, oldest first, by state, status, user or campaign. */
export async function listAgentSessions(
  db: Executor,
  ctx: RequestContext,
  query: AgentSessionListQuery,
): Promise<Page<AgentSession>> {
  const limit = query.limit ?? 50;
  let campaign: { id: string; agentIds: readonly string[] } | undefined;
  if (query.campaignId !== undefined) {
    // An unknown campaign lists nothing, as GET /v1/calls?campaignId= does.
    const row = await campaigns.find(db, ctx.tenant.id, query.campaignId);
    campaign = { id: query.campaignId, agentIds: row?.data.agentIds ?? [] };
  }
  const rows = await listSessions(db, ctx.tenant.id, {
    state: query.state,
    status: query.status,
    userId: query.userId,
    campaign,
    afterId: decodeSessionCursor(query.cursor),
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    data: page.map(presentSession),
    nextCursor: rows.length > limit && last ? encodeSessionCursor(last.id) : null,
  };
}

/** GET /v1/agent-sessions/{id}: one session by its id, open or ended. */
export async function getAgentSession(db: Executor, ctx: RequestContext, id: string): Promise<AgentSession> {
  const row = await findSessionById(db, ctx.tenant.id, id);
  if (!row) throw new NotFoundError('session', id);
  return presentSession(row);
}

/** Sessions have no sequence column; their ids sort by creation time, so the cursor is the last id. */
function encodeSessionCursor(id: string): string {
  return Buffer.from(JSON.stringify({ i: id })).toString('base64url');
}

function decodeSessionCursor(cursor: string | undefined): string | undefined {
  return decodeOpaqueCursor(cursor, (value) =>
    typeof value.i === 'string' && ID.test(value.i) ? value.i : undefined,
  );
}
