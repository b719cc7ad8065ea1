// The web console in a real browser (Debian's Chromium via playwright-core) against a real
// pconn node: sign-in, campaigns with field errors at the field, contact import with progress,
// a sandbox call moving across the live dashboard, the audit explorer, roles, sign-out; axe on
// every page and a screenshot of each at 1280 and 390 px (test-results/console/).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { buildConsole } from '../../bin/build-console.js';
import { skipWithout } from '../e2e/support/required-tool.ts';
import { waitForCallStatus } from '../support/calls.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { CHROMIUM, checkPage, launchChromium, waitForText } from './browser.ts';

const ADMIN_PASSWORD = 'console-admin-password-1';
const AGENT_PASSWORD = 'console-agent-password-1';
const CALLER_ID = '+14155550100';
const CONSOLE = { 'x-pconn-console': '1' };
// Generous: the machine running the suite may be busy with other test files.
const WAIT = { timeout: 30_000 };

let server: TestServer;
let browser: Browser;
let page: Page;

/** Goes to a console path with a full page load. */
async function open(path: string): Promise<void> {
  await page.goto(`${server.url}/console${path}`);
}

/** Navigates inside the console by its navigation (no reload), as a user would. */
async function follow(label: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Console' })
    .getByRole('link', { name: label, exact: true })
    .click();
  await waitForText(page, 'nav a[aria-current="page"]', { equals: label });
  await page.getByRole('heading', { level: 1 }).first().waitFor(WAIT);
}

async function signIn(user: string, password: string): Promise<void> {
  await page.getByLabel('User', { exact: true }).fill(user);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The request id a problem box shows. */
async function shownRequestId(): Promise<string> {
  const text = (await page.locator('.request-id code').first().textContent(WAIT)) ?? '';
  assert.ok(text.length > 0, 'the problem shows its request id');
  return text;
}

/** A dashboard counter's number. */
async function counter(testId: string): Promise<number> {
  return Number((await page.getByTestId(testId).textContent()) ?? 'NaN');
}

async function waitForCounter(testId: string, value: number): Promise<void> {
  await waitForText(page, `[data-testid="${testId}"]`, { equals: String(value) });
}

// Chromium is Debian's package: skipped without it locally, a failure on CI (.ci/run installs it).
const skip = skipWithout(CHROMIUM, 'chromium', ['--version']);

describe('web console', { skip }, () => {
  before(async () => {
    await buildConsole();
    [server, browser] = await Promise.all([
      startTestServer({
        env: {
          PCONN_BOOTSTRAP_CONSOLE_PASSWORD: ADMIN_PASSWORD,
          PCONN_SANDBOX_TIME_SCALE: '0.05',
          PCONN_DIALER_POLL_MS: '20',
          PCONN_RATE_LIMIT_RPS: '100000',
          PCONN_RATE_LIMIT_BURST: '100000',
        },
      }),
      launchChromium(),
    ]);
    await server.request('PUT', `/v1/caller-ids/${CALLER_ID}`, { body: { verified: true } });
    const agent = await server.request('PUT', '/v1/users/agent-1', {
      body: { name: 'Agent One', role: 'agent', device: { type: 'sip', uri: 'sip:agent-1@127.0.0.1' } },
    });
    assert.equal(agent.status, 201, agent.text);
    const password = await server.request('POST', '/v1/users/agent-1/password', {
      body: { password: AGENT_PASSWORD },
    });
    assert.equal(password.status, 204, password.text);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('a wrong password is refused, and the refusal is in the audit trail', async () => {
    await open('/');
    await page.getByRole('heading', { name: 'Sign in to pconn' }).waitFor(WAIT);
    await checkPage(page, 'sign-in');
    await signIn('admin', 'not-the-admin-password');
    const alert = page.locator('[data-code="invalid_credentials"]');
    await alert.waitFor(WAIT);
    const requestId = await shownRequestId();
    const audit = await server.request<{ data: Array<{ status: number; code: string; route: string }> }>(
      'GET',
      `/v1/audit-events?requestId=${encodeURIComponent(requestId)}`,
    );
    assert.equal(audit.status, 200, audit.text);
    assert.equal(audit.body.data[0]?.status, 401, audit.text);
    assert.equal(audit.body.data[0]?.code, 'invalid_credentials');
    assert.equal(audit.body.data[0]?.route, '/console/session');
    assert.ok(!audit.text.includes('not-the-admin-password'), 'the password is never in the trail');
  });

  test('an admin signs in and sees the dashboard', async () => {
    await signIn('admin', ADMIN_PASSWORD);
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor(WAIT);
    const links = await page.getByRole('navigation', { name: 'Console' }).getByRole('link').allTextContents();
    assert.deepEqual(links, [
      'Dashboard',
      'Campaigns',
      'Calls',
      'Audit',
      'Agent desk',
      'Webhooks',
      'Settings',
    ]);
    await checkPage(page, 'dashboard');
  });

  let rejectedRequestId = '';
  test('a caller id without its + is refused with the error and hint at that field', async () => {
    await follow('Campaigns');
    await checkPage(page, 'campaigns');
    await page.getByRole('link', { name: 'New campaign' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Spring renewals');
    await page.getByLabel(/^Caller id/).fill(CALLER_ID.slice(1));
    await page.getByLabel(/^Calling window start/).fill('00:00');
    await page.getByLabel(/^Calling window end/).fill('00:00');
    await page.getByLabel(/^Fallback time zone/).fill('UTC');
    await page.getByLabel(/^Agent user ids/).fill('agent-1');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    const fieldError = page.locator('#campaign-callerId-error');
    await fieldError.waitFor(WAIT);
    const text = (await fieldError.textContent()) ?? '';
    assert.match(text, /Hint: .*\+14155550100/, `the hint carries the E.164 form: ${text}`);
    assert.equal(await page.locator('#campaign-callerId').getAttribute('aria-invalid'), 'true');
    assert.match(
      (await page.locator('#campaign-callerId').getAttribute('aria-describedby')) ?? '',
      /campaign-callerId-error/,
      'the error is tied to the field',
    );
    rejectedRequestId = await shownRequestId();
    await checkPage(page, 'campaign-new-error');
    await page.getByLabel(/^Caller id/).fill(CALLER_ID);
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.getByTestId('campaign-status').waitFor(WAIT);
    assert.equal(await page.getByTestId('campaign-status').textContent(), 'draft');
  });

  test('contacts are imported with progress, and a bad line is reported by its number', async () => {
    const rows = Array.from(
      { length: 450 },
      (_, i) => `c-${i},Contact ${i},UTC,+1212${String(2000000 + i).padStart(7, '0')}`,
    );
    await page
      .getByLabel('…or paste the contacts')
      .fill(['externalId,name,timezone,mobile', ...rows].join('\n'));
    // Every text the progress line shows, noted by the page as it changes (DevTools protocol:
    // the page's CSP does not apply to it).
    await page.evaluate(`(() => {
      window.__progress = [];
      new MutationObserver(() => {
        const text = document.querySelector('[data-testid="import-progress"]')?.textContent;
        if (text && window.__progress.at(-1) !== text) window.__progress.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    })()`);
    await page.getByRole('button', { name: 'Import' }).click();
    await waitForText(page, '[data-testid="import-progress"]', { startsWith: '450 of 450' });
    assert.equal(await page.locator('#import-progress').getAttribute('value'), '450');
    const seen = ((await page.evaluate('window.__progress')) as string[]).map(
      (text) => text.split(' of ')[0],
    );
    assert.deepEqual(
      seen.filter((done) => done !== '0'),
      ['200', '400', '450'],
      `the progress moved batch by batch: ${seen.join(', ')}`,
    );
    await page
      .getByLabel('…or paste the contacts')
      .fill('externalId,name,timezone,mobile\nok-1,Fine,UTC,+12125550100\nbad-1,Broken,UTC,2125550100\n');
    await page.getByRole('button', { name: 'Import' }).click();
    const lines = page.getByRole('list', { name: 'Problems by line' });
    await lines.waitFor(WAIT);
    assert.match((await lines.textContent()) ?? '', /Line 3\b/);
    await checkPage(page, 'campaign-detail');
  });

  test('an edit is saved, and an out-of-range field is refused at that field', async () => {
    await page.getByText('Edit campaign').click();
    await page.getByLabel('Max attempts per contact').fill('99');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const error = page.locator('#campaign-maxAttempts-error');
    await error.waitFor(WAIT);
    assert.match((await error.textContent()) ?? '', /50/, 'the error names the limit');
    await page.getByLabel('Max attempts per contact').fill('5');
    await page.getByLabel('Name', { exact: true }).fill('Spring renewals 2');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'Spring renewals 2', level: 1 }).waitFor(WAIT);
    const campaignId = new URL(page.url()).pathname.split('/').pop() ?? '';
    const saved = await server.request<{ name: string; maxAttemptsPerContact: number; agentIds: string[] }>(
      'GET',
      `/v1/campaigns/${campaignId}`,
    );
    assert.equal(saved.body.maxAttemptsPerContact, 5);
    assert.deepEqual(saved.body.agentIds, ['agent-1'], 'fields left alone are kept');
  });

  test('the campaign starts, and a dry run shows the decision record', async () => {
    await page.getByRole('button', { name: 'Start' }).click();
    await waitForText(page, '[data-testid="campaign-status"]', { equals: 'running' });
    const campaignId = new URL(page.url()).pathname.split('/').pop() ?? '';
    const members = await server.request<{ data: Array<{ id: string }> }>(
      'GET',
      `/v1/campaigns/${campaignId}/contacts?limit=1`,
    );
    const contactId = members.body.data[0]?.id ?? '';
    assert.ok(contactId, `the campaign has contacts: ${members.text}`);
    await page.getByLabel('Contact id').fill(contactId);
    await page.getByRole('button', { name: 'Check' }).click();
    const decision = page.getByTestId('decision');
    await decision.waitFor(WAIT);
    assert.match((await decision.textContent()) ?? '', /Allowed now\./);
    await page.getByRole('rowheader', { name: 'calling_window' }).waitFor(WAIT);
  });

  test('a sandbox call moves across the live dashboard', async () => {
    const campaignId = new URL(page.url()).pathname.split('/').pop() ?? '';
    await follow('Dashboard');
    await page.getByTestId('status-connected').waitFor(WAIT);
    const canceledBefore = await counter('status-canceled');
    // Answers and stays connected until cancelled (docs/telephony.md, sandbox numbers).
    const created = await server.request<{ id: string }>('POST', `/v1/campaigns/${campaignId}/calls`, {
      body: {
        contact: {
          externalId: 'live-1',
          timezone: 'UTC',
          phoneNumbers: [{ phoneType: 'mobile', number: '+12125550106' }],
        },
      },
    });
    assert.equal(created.status, 202, created.text);
    await waitForCounter('status-connected', 1);
    await waitForCounter(`campaign-total-${campaignId}`, 1);
    await waitForText(page, `[data-testid="campaign-per-agent-${campaignId}"]`, { equals: '1.0' });
    const cancel = await server.request('POST', `/v1/calls/${created.body.id}/cancel`);
    assert.equal(cancel.status, 200, cancel.text);
    await waitForCounter('status-connected', 0);
    await waitForCounter('status-canceled', canceledBefore + 1);
    await checkPage(page, 'dashboard-live');
  });

  test('calls: search, a call with its timeline and decision record, cancel', async () => {
    await follow('Calls');
    await page.getByRole('table').waitFor(WAIT);
    await checkPage(page, 'calls');
    const campaignCall = await server.request<{ data: Array<{ id: string }> }>(
      'GET',
      '/v1/calls?status=canceled',
    );
    const id = campaignCall.body.data[0]?.id ?? '';
    await page.getByRole('link', { name: id }).click();
    await page.getByTestId('call-status').waitFor(WAIT);
    assert.equal(await page.getByTestId('call-status').textContent(), 'canceled');
    await page.getByText('call.canceled').waitFor(WAIT);
    await page.getByRole('heading', { name: 'Attempt 1' }).waitFor(WAIT);
    await checkPage(page, 'call-detail');
  });

  test('a call’s page shows what answer detection heard on the contact’s leg', async () => {
    const campaignId = 'console-amd';
    const put = await server.request('PUT', `/v1/campaigns/${campaignId}`, {
      body: {
        name: 'Console AMD',
        callerId: CALLER_ID,
        timezone: 'UTC',
        callingWindow: { start: '00:00', end: '00:00' },
        maxAttemptsPerContact: 1,
        agentIds: ['agent-1'],
        answerDetection: { enabled: true, machineAction: 'hangup' },
      },
    });
    assert.ok(put.status < 300, put.text);
    assert.equal((await server.request('POST', `/v1/campaigns/${campaignId}/start`)).status, 200);
    // 555-0131: the sandbox's answering machine (docs/telephony.md).
    const created = await server.request<{ id: string }>('POST', `/v1/campaigns/${campaignId}/calls`, {
      body: {
        userId: 'agent-1',
        contact: {
          externalId: 'amd-1',
          timezone: 'UTC',
          phoneNumbers: [{ phoneType: 'mobile', number: '+12125550131' }],
        },
      },
    });
    assert.equal(created.status, 202, created.text);
    const settled = await waitForCallStatus(server, created.body.id, ['failed', 'completed'], 30_000);
    assert.equal(settled.outcome, 'machine', JSON.stringify(settled));
    await open(`/calls/${created.body.id}`);
    await waitForText(page, '[data-testid="attempt-verdict"]', { startsWith: 'machine' });
    await checkPage(page, 'call-analysis');
  });

  test('the audit explorer finds the rejected request by its id, shows its problem and verifies the chain', async () => {
    await follow('Audit');
    await page.getByLabel('Request id').fill(rejectedRequestId);
    await page.getByRole('button', { name: 'Search' }).click();
    const row = page.locator(`tr[data-request-id="${rejectedRequestId}"]`);
    await row.waitFor(WAIT);
    assert.match((await row.textContent()) ?? '', /400invalid_request/);
    await row.getByRole('button', { name: rejectedRequestId }).click();
    const entry = page.getByTestId('audit-entry');
    await entry.waitFor(WAIT);
    assert.match((await entry.textContent()) ?? '', /pconn explain/);
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    await waitForText(page, '[data-testid="verify-verdict"]', { startsWith: 'Chain intact' });
    await checkPage(page, 'audit');
  });

  test('webhooks and settings pages open for an admin', async () => {
    await follow('Webhooks');
    await checkPage(page, 'webhooks');
    await follow('Settings');
    await page
      .getByRole('cell', { name: 'agent-1' })
      .or(page.getByRole('rowheader', { name: 'agent-1' }))
      .waitFor(WAIT);
    await checkPage(page, 'settings');
    await follow('Agent desk');
    await checkPage(page, 'desk-admin');
  });

  test('sign out ends the session: its cookie gets no more tokens', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to pconn' }).waitFor(WAIT);
    const status = await page.evaluate(
      `fetch('/console/session/token', { method: 'POST', headers: ${JSON.stringify(CONSOLE)} }).then((r) => r.status)`,
    );
    assert.equal(status, 401);
  });

  test('an agent works from the desk only; supervisor pages are closed and the API refuses them', async () => {
    // By keyboard alone: Tab to each field, Enter to submit.
    await page.keyboard.press('Tab');
    await page.keyboard.type('agent-1');
    await page.keyboard.press('Tab');
    await page.keyboard.type(AGENT_PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Agent desk', level: 1 }).waitFor(WAIT);
    const links = await page.getByRole('navigation', { name: 'Console' }).getByRole('link').allTextContents();
    assert.deepEqual(links, ['Agent desk']);
    await checkPage(page, 'desk');
    await open('/campaigns');
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor(WAIT);
    await checkPage(page, 'not-allowed');
    const signed = await server.request<{ accessToken: string }>('POST', '/console/session', {
      token: null,
      body: { user: 'agent-1', password: AGENT_PASSWORD },
      headers: CONSOLE,
    });
    assert.equal(signed.status, 201, signed.text);
    for (const [method, path] of [
      ['POST', '/v1/campaigns'],
      ['GET', '/v1/audit-events'],
      ['GET', '/v1/webhooks'],
    ] as const) {
      const refused = await server.request<{ code: string }>(method, path, {
        token: signed.body.accessToken,
        ...(method === 'POST' ? { body: { name: 'x' } } : {}),
      });
      assert.equal(refused.status, 403, `${method} ${path}: ${refused.text}`);
      assert.equal(refused.body.code, 'insufficient_scope');
    }
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to pconn' }).waitFor(WAIT);
    await signIn('agent-1', AGENT_PASSWORD);
    await page.getByRole('heading', { name: 'Agent desk', level: 1 }).waitFor(WAIT);
  });

  let deskCallId = '';
  test('an agent starts their session, accepts a preview offer, and sets the disposition after the call', async () => {
    // A preview campaign of this agent: its calls are offered at the desk, not dialled.
    const campaign = await server.request('PUT', '/v1/campaigns/desk-preview', {
      body: {
        name: 'Desk preview',
        callerId: CALLER_ID,
        agentIds: ['agent-1'],
        dialingMode: 'preview',
        timezone: 'UTC',
        callingWindow: { start: '00:00', end: '00:00' },
        wrapUpSeconds: 600,
      },
    });
    assert.ok(campaign.status < 300, campaign.text);
    assert.equal((await server.request('POST', '/v1/campaigns/desk-preview/start')).status, 200);
    await page.getByLabel(/^Campaign ids/).fill('desk-preview');
    await page.getByRole('button', { name: 'Start session' }).click();
    await waitForText(page, '[data-testid="agent-state"]', { equals: 'available' });
    await waitForText(page, '[data-testid="session-status"]', { equals: 'ready' });
    const previewCall = async (externalId: string, name: string) => {
      // Answers at once and talks 3 s (sandbox numbers, docs/telephony.md).
      const created = await server.request<{ id: string }>('POST', '/v1/campaigns/desk-preview/calls', {
        body: {
          contact: {
            externalId,
            name,
            timezone: 'UTC',
            phoneNumbers: [{ phoneType: 'mobile', number: '+12125550100' }],
            attributes: { plan: 'gold' },
          },
          metadata: { ticket: 'T-42' },
        },
      });
      assert.equal(created.status, 202, created.text);
      return created.body.id;
    };
    // The first offer is skipped with a reason: it goes back to the queue, on its timeline.
    const skippedId = await previewCall('desk-0', 'Sam Skipped');
    await page.getByTestId('desk-contact').getByText('Sam Skipped').waitFor(WAIT);
    await page.getByLabel('Skip reason').fill('called yesterday');
    await page.getByRole('button', { name: 'Skip', exact: true }).click();
    await waitForText(page, '[data-testid="agent-state"]', { equals: 'available' });
    const skipped = await server.request<{ data: Array<{ type: string; data: { reason?: string } }> }>(
      'GET',
      `/v1/calls/${skippedId}/events`,
    );
    assert.equal(
      skipped.body.data.find((e) => e.type === 'call.skipped')?.data.reason,
      'called yesterday',
      skipped.text,
    );
    deskCallId = await previewCall('desk-1', 'Dana Preview');
    const offer = page.getByTestId('desk-offer');
    await offer.waitFor(WAIT);
    await page.getByTestId('desk-contact').getByText('Dana Preview').waitFor(WAIT);
    const shown = (await offer.textContent()) ?? '';
    assert.match(shown, /T-42/, 'the offer shows the call’s metadata');
    assert.match(shown, /gold/, 'the offer shows the contact’s attributes');
    await checkPage(page, 'desk-offer');
    await page.getByRole('button', { name: 'Accept and call' }).click();
    // Connected, then the contact hangs up: the agent is in wrap-up with the call on the desk.
    await waitForText(page, '[data-testid="agent-state"]', { equals: 'wrap_up' });
    await waitForText(page, '[data-testid="desk-call-status"]', { equals: 'completed' });
    const timeline = await server.request<{ data: Array<{ type: string }> }>(
      'GET',
      `/v1/calls/${deskCallId}/events`,
    );
    const types = timeline.body.data.map((e) => e.type);
    assert.ok(types.includes('call.offer_accepted') && types.includes('call.connected'), types.join(' '));
    await checkPage(page, 'desk-wrap-up');
    await page.getByLabel('Disposition code').fill('sale');
    await page.getByLabel('Notes').fill('Upgraded to gold');
    await page.getByRole('button', { name: 'Set disposition' }).click();
    await waitForText(page, '[data-testid="agent-state"]', { equals: 'available' });
    const call = await server.request<{
      userId: string;
      disposition?: { code: string; notes: string | null };
    }>('GET', `/v1/calls/${deskCallId}`);
    assert.equal(call.body.userId, 'agent-1');
    assert.deepEqual(
      { code: call.body.disposition?.code, notes: call.body.disposition?.notes },
      { code: 'sale', notes: 'Upgraded to gold' },
    );
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to pconn' }).waitFor(WAIT);
  });

  test('the dashboard shows agents by state live, and the ledger’s headroom', async () => {
    await signIn('admin', ADMIN_PASSWORD);
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor(WAIT);
    await waitForText(page, '[data-testid="agents-available"]', { equals: 'available1agent-1' });
    const session = await server.request<{ id: string }>('GET', '/v1/users/agent-1/session');
    const paused = await server.request('POST', `/v1/agent-sessions/${session.body.id}/pause`, {
      body: { reason: 'lunch' },
    });
    assert.equal(paused.status, 200, paused.text);
    await waitForText(page, '[data-testid="agents-paused"]', { equals: 'paused1agent-1' });
    await waitForText(page, '[data-testid="ledger-Desk preview"]', {
      startsWith: 'Desk preview0.0% (0 of 1)',
    });
    await checkPage(page, 'dashboard-agents');
  });
});
