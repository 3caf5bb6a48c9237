// A real OpenID Connect provider (node-oidc-provider) standing in for the province's unified
// login (一网通办) in tests, CI and demos. Not for production: the province runs its own.
//
//   node provider.mjs CONFIG.json
//
// CONFIG.json: {"port": 9000, "clients": [...client metadata...], "accounts": [...],
//               "ttl": {"AccessToken": 600}}   (see demo.json beside this file)
// Each account: {"login", "password", "acr" ("loa1" | "loa2" | "loa3"), "claims": {...}}; its
// claims are released as they are (id_number, name, credit_code, unit, region …).
// Prints "ready <issuer>" on stdout once it listens.

import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const port = Number(config.port || 9000);
const issuer = `http://127.0.0.1:${port}`;
const accounts = new Map(config.accounts.map((account) => [account.login, account]));

// A fresh signing key per start: relying parties read it from jwks_uri.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', kid: randomUUID() };

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>${title}</title></head><body><main>${body}</main></body></html>`;

const provider = new Provider(issuer, {
  clients: config.clients,
  cookies: { keys: [randomBytes(32).toString('hex')] },
  jwks: { keys: [signingKey] },
  findAccount: async (ctx, sub) => {
    const account = [...accounts.values()].find((item) => item.claims.sub === sub);
    if (!account) return undefined;
    return { accountId: sub, claims: async () => ({ ...account.claims, sub }) };
  },
  claims: {
    acr: null, auth_time: null, sid: null, iss: null,
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    realname: ['account_type', 'realname_verified', 'id_number', 'credit_code',
      'enterprise_name', 'authority'],
    staff: ['unit', 'region'],
  },
  // The relying party reads the real-name claims from the ID token it has just validated.
  conformIdTokenClaims: false,
  acrValues: ['loa1', 'loa2', 'loa3'],
  scopes: ['openid', 'offline_access', 'profile', 'realname', 'staff'],
  // The county's portal is a first-party client: it always gets a refresh token.
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  pkce: { required: () => true },
  ttl: {
    AccessToken: 600, IdToken: 3600, RefreshToken: 86400, Session: 86400,
    Grant: 86400, Interaction: 600, AuthorizationCode: 60, ...(config.ttl || {}),
  },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.body = page('Sign out / 退出', `<h1>退出统一登录 / Sign out of the unified login</h1>
${form}<button data-testid="op-logout" type="submit" form="op.logoutForm" name="logout" value="yes">
退出 / Sign out</button>`);
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    ctx.body = page('Error', `<h1>${escape(out.error)}</h1><p>${escape(out.error_description || '')}</p>`);
  },
});

async function readForm(req) {
  let raw = '';
  for await (const chunk of req) {
    raw += chunk;
    if (raw.length > 10000) break;
  }
  return new URLSearchParams(raw);
}

// The interaction pages: a plain login form checked against the accounts file, and consent
// granted at once (first-party client).
provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([\w-]+)(\/login)?$/);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const { uid, prompt, params } = details;
  if (prompt.name === 'consent') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    const grantId = await grant.save();
    return provider.interactionFinished(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  let error = '';
  if (ctx.method === 'POST' && match[2]) {
    const form = await readForm(ctx.req);
    const account = accounts.get(form.get('login') || '');
    if (account && account.password === form.get('password')) {
      return provider.interactionFinished(ctx.req, ctx.res, {
        login: { accountId: account.claims.sub, acr: account.acr },
      }, { mergeWithLastSubmission: false });
    }
    error = '<p role="alert" data-testid="op-error">账号或密码错误 / Wrong login or password</p>';
  }
  ctx.type = 'html';
  ctx.body = page('统一登录 / Unified login', `<h1>省一网通办统一登录 / Province unified login</h1>${error}
<form method="post" action="/interaction/${escape(uid)}/login" data-testid="op-login">
<label>账号 / Login <input name="login" autocomplete="username" required></label>
<label>密码 / Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">登录 / Sign in</button></form>`);
  return undefined;
});

const server = provider.listen(port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
