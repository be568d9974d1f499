/**
 * @module Least privilege as a table: every route, and the roles that may call it. A route missing from this
 * table is refused at start-up (and a test lists the app's routes against it).
 */
import type { ClientRole, Role, StaffRole } from '../db/schema.ts';

export type Access = 'public' | 'signed-in' | readonly Role[];

export const STAFF_ROLES: readonly StaffRole[] = [
  'admin',
  'receptionist',
  'mailroom',
  'billing',
  'support',
  'privacy_officer',
];
export const CLIENT_ROLES: readonly ClientRole[] = ['owner', 'colleague'];

const FRONT_DESK: readonly Role[] = ['admin', 'receptionist', 'support', 'privacy_officer'];
const PRIVACY: readonly Role[] = ['admin', 'privacy_officer'];

export const ACCESS: Readonly<Record<string, Access>> = {
  'GET /healthz': 'public',
  'GET /api/openapi.json': 'public',
  'POST /api/auth/sign-in': 'public',
  'POST /api/auth/totp': 'public',
  'POST /api/auth/sign-out': 'signed-in',
  'GET /api/auth/me': 'signed-in',
  'POST /api/auth/totp/setup': STAFF_ROLES,
  'POST /api/auth/totp/enable': STAFF_ROLES,
  'GET /api/accounts': STAFF_ROLES,
  'POST /api/accounts/:accountId/contact-notes': FRONT_DESK,
  'GET /api/accounts/:accountId/subjects': FRONT_DESK,
  'GET /api/accounts/:accountId/subjects/:subjectId': FRONT_DESK,
  'GET /api/accounts/:accountId/subjects/:subjectId/export': PRIVACY,
  'POST /api/accounts/:accountId/subjects/:subjectId/erase': PRIVACY,
  'GET /api/portal/summary': CLIENT_ROLES,
  // Issue 4, staff side: phone messages (front desk), post (mailroom), caller verification by phone (CP-2).
  'POST /api/accounts/:accountId/messages': ['admin', 'receptionist', 'support'],
  'GET /api/accounts/:accountId/callers': ['admin', 'receptionist', 'support'],
  'GET /api/accounts/:accountId/messages/:messageId/deliveries': ['admin', 'receptionist', 'support'],
  'POST /api/accounts/:accountId/post': ['admin', 'mailroom'],
  'GET /api/accounts/:accountId/post': ['admin', 'mailroom'],
  'POST /api/accounts/:accountId/post/:postItemId/status': ['admin', 'mailroom'],
  'GET /api/accounts/:accountId/post/:postItemId/files/:fileId': ['admin', 'mailroom'],
  'GET /api/accounts/:accountId/verifications/setup': FRONT_DESK,
  'POST /api/accounts/:accountId/verifications': FRONT_DESK,
  'GET /api/accounts/:accountId/account-details': FRONT_DESK,
  // The client portal (issue 4, client side): colleagues' access to items is checked again inside each use case.
  'GET /api/portal/inbox': CLIENT_ROLES,
  'GET /api/portal/items/:kind/:itemId': CLIENT_ROLES,
  'POST /api/portal/items/:kind/:itemId/read': CLIENT_ROLES,
  'POST /api/portal/items/:kind/:itemId/actioned': CLIENT_ROLES,
  'GET /api/portal/files/:fileId': CLIENT_ROLES,
  'GET /api/portal/access': CLIENT_ROLES,
  'GET /api/portal/notifications': CLIENT_ROLES,
  'PUT /api/portal/notifications': CLIENT_ROLES,
  'GET /api/portal/account': CLIENT_ROLES,
  'POST /api/portal/account/status': ['owner'],
  'POST /api/accounts/:accountId/status': ['admin', 'billing'],
  'GET /api/portal/colleagues': ['owner'],
  'POST /api/portal/colleagues/invitations': ['owner'],
  'PUT /api/portal/colleagues/:userId/access': ['owner'],
  'POST /api/colleagues/accept': 'public',
  'GET /api/portal/export/count': ['owner'],
  'GET /api/portal/export': ['owner'],
  'POST /api/portal/delete-all': ['owner'],
  // Issue 6: consent, marketing and cookies. One-click unsubscribe is public by RFC 8058 (no cookies, no session).
  'GET /u/:token': 'public',
  'POST /u/:token': 'public',
  'GET /api/accounts/:accountId/subjects/:subjectId/marketing-preferences': FRONT_DESK,
  'POST /api/accounts/:accountId/subjects/:subjectId/marketing-preferences': FRONT_DESK,
  'GET /api/portal/marketing-preferences': CLIENT_ROLES,
  'POST /api/portal/marketing-preferences': CLIENT_ROLES,
  'GET /api/accounts/:accountId/consent-records/:recordId/receipt': PRIVACY,
  'POST /api/consent/import': ['admin'],
  'GET /api/campaigns/options': ['admin'],
  'POST /api/campaigns/preview': ['admin'],
  'POST /api/campaigns': ['admin'],
  'GET /api/campaigns': ['admin'],
  'GET /api/campaigns/:campaignId': ['admin'],
  'GET /consent.js': 'public',
  'GET /consent.css': 'public',
  'GET /consent/i18n/:lang.json': 'public',
  'POST /api/consent/cookies': 'public',
  'GET /.well-known/gpc.json': 'public',
  'GET /cookies': 'public',
  'GET /demo-site': 'public',
  'GET /demo-site/:script': 'public',
  'GET /privacy': 'public',
  'GET /privacy/v/:version': 'public',
  'GET /api/policy/ropa': PRIVACY,
  'GET /api/policy/versions': PRIVACY,
  'POST /api/policy/publish': ['privacy_officer'],
  'POST /api/policy/agreements': 'signed-in',
};

export const routeKey = (method: string, url: string) => `${method.toUpperCase()} ${url}`;
