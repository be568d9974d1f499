/**
 * @module Least privilege as a table: every route, and the roles that may call it. A route missing from this
 * table is refused at start-up (and a test lists the app's routes against it).
 */
import type { ClientRole, Role, StaffRole } from '../db/schema.ts';

export type Access = 'public' | 'signed-in' | readonly Role[];

export const STAFF_ROLES: readonly StaffRole[] = ['admin', 'receptionist', 'mailroom', 'billing', 'support', 'privacy_officer'];
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
  'GET /privacy': 'public',
  'GET /privacy/v/:version': 'public',
  'GET /api/policy/ropa': PRIVACY,
  'POST /api/policy/publish': ['privacy_officer'],
  'POST /api/policy/agreements': 'signed-in',
};

export const routeKey = (method: string, url: string) => `${method.toUpperCase()} ${url}`;
